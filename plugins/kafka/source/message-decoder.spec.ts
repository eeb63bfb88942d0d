import { describe, expect, it } from '@jest/globals';
import { decodeHeaders, decodeKey, decodeMessage, decodeValue, KAFKA_HEADERS } from './message-decoder.js';

const message = (value: Buffer | null, extra: Partial<{ key: Buffer | null; offset: string; timestamp: string; headers: Record<string, unknown> }> = {}) => ({
  key: extra.key ?? null,
  value,
  offset: extra.offset ?? '7',
  timestamp: extra.timestamp ?? '1700000000123',
  headers: (extra.headers ?? {}) as never,
});

const json = { format: 'json', keyFormat: 'string' } as const;

describe('kafka message decoding', () => {
  it('maps value, key, headers, timestamp and position of a JSON message', () => {
    const record = decodeMessage('orders', 2, message(Buffer.from('{"id":1,"total":9.5}'), { key: Buffer.from('c-1'), headers: { trace: Buffer.from('abc'), kind: 'text' } }), json);
    expect(record).toEqual({
      value: { id: 1, total: 9.5 },
      key: 'c-1',
      headers: { trace: 'abc', kind: 'text', 'kafka.topic': 'orders', 'kafka.partition': '2', 'kafka.offset': '7' },
      timestamp: 1700000000123,
      position: { lane: 'orders/2', offset: 7 },
    });
    expect(record.failure).toBeUndefined();
  });

  it('turns a value that is not JSON into a failure naming topic, partition and offset, with the raw text as value', () => {
    const record = decodeMessage('orders', 0, message(Buffer.from('{not json'), { key: Buffer.from('k'), offset: '41' }), json);
    expect(record.failure).toMatch(/^kafka: message at orders\/0 offset 41: value is not valid JSON \(/);
    expect(record.value).toBe('{not json');
    expect(record.key).toBe('k');
    expect(record.position).toEqual({ lane: 'orders/0', offset: 41 });
    expect(record.headers?.[KAFKA_HEADERS.offset]).toBe('41');
  });

  it('reports an empty JSON value and bytes that are not UTF-8', () => {
    expect(decodeValue(Buffer.alloc(0), 'json')).toEqual({ ok: false, reason: 'value is empty, not JSON', raw: '' });
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    expect(decodeValue(binary, 'json')).toEqual({ ok: false, reason: 'value is not valid UTF-8 (use format: bytes for binary payloads)', raw: binary.toString('base64') });
    expect(decodeValue(binary, 'string')).toMatchObject({ ok: false });
  });

  it('decodes the string and bytes formats', () => {
    expect(decodeValue(Buffer.from('héllo {x'), 'string')).toEqual({ ok: true, value: 'héllo {x' });
    const binary = Buffer.from([0, 1, 2, 250, 255]);
    expect(decodeValue(binary, 'bytes')).toEqual({ ok: true, value: 'AAEC+v8=' });
    expect(Buffer.from(decodeValue(binary, 'bytes').ok ? ((decodeValue(binary, 'bytes') as { value: string }).value) : '', 'base64')).toEqual(binary);
  });

  it('makes a tombstone (null value) a null value in every format', () => {
    for (const format of ['json', 'string', 'bytes'] as const) expect(decodeValue(null, format)).toEqual({ ok: true, value: null });
    expect(decodeMessage('t', 0, message(null), json)).toMatchObject({ value: null });
  });

  it('decodes keys as text or JSON', () => {
    expect(decodeKey(null, 'string')).toEqual({ ok: true, value: null });
    expect(decodeKey(Buffer.from('"c-1"'), 'string')).toEqual({ ok: true, value: '"c-1"' });
    expect(decodeKey(Buffer.from('"c-1"'), 'json')).toEqual({ ok: true, value: 'c-1' });
    expect(decodeKey(Buffer.from('{ "id": 5 }'), 'json')).toEqual({ ok: true, value: '{"id":5}' });
    expect(decodeKey(Buffer.from('42'), 'json')).toEqual({ ok: true, value: '42' });
    expect(decodeKey(Buffer.from('null'), 'json')).toEqual({ ok: true, value: null });
    expect(decodeKey(Buffer.from('c-1'), 'json')).toMatchObject({ ok: false, raw: 'c-1' });
  });

  it('turns a key that cannot be decoded into a failure that keeps the raw value', () => {
    const record = decodeMessage('t', 1, message(Buffer.from('{"a":1}'), { key: Buffer.from('plain'), offset: '3' }), { format: 'json', keyFormat: 'json' });
    expect(record.failure).toMatch(/^kafka: message at t\/1 offset 3: key is not valid JSON/);
    expect(record.value).toBe('{"a":1}');
    expect(record.key).toBe('plain');
  });

  it('maps headers to strings: last of repeated values, null as "", position headers win', () => {
    expect(
      decodeHeaders({ a: [Buffer.from('1'), Buffer.from('2')], b: undefined, c: null as never, 'kafka.topic': 'forged' }, 'real', 4, '99'),
    ).toEqual({ a: '2', b: '', c: '', 'kafka.topic': 'real', 'kafka.partition': '4', 'kafka.offset': '99' });
  });

  it('keeps offsets beyond 2^53 exact as strings and leaves out missing timestamps', () => {
    const record = decodeMessage('t', 0, message(Buffer.from('1'), { offset: '9007199254740993', timestamp: '-1' }), json);
    expect(record.position).toEqual({ lane: 't/0', offset: '9007199254740993' });
    expect(record.timestamp).toBeUndefined();
  });
});
