import { describe, expect, it } from '@jest/globals';
import { makeRecord, RecordError } from '@sluice/sdk';
import { encodeBatch, encodeRecord, encodeValue, REQUEST_OVERHEAD, splitRequests } from './message-encoder.js';

const options = { format: 'json', headers: true, timestamp: 'record', tombstoneNulls: false } as const;

describe('kafka message encoding', () => {
  it('writes key, JSON value, string headers and the record timestamp', () => {
    const { message, bytes } = encodeRecord(makeRecord({ id: 1, name: 'é' }, { key: 'c-1', headers: { trace: 'abc' }, timestamp: 1_700_000_000_123 }), options);
    expect(message).toEqual({ key: 'c-1', value: Buffer.from('{"id":1,"name":"é"}'), headers: { trace: 'abc' }, timestamp: '1700000000123' });
    expect(bytes).toBeGreaterThan(Buffer.byteLength('{"id":1,"name":"é"}') + 3 + 8);
  });

  it('leaves out keys, headers and timestamps when asked or absent', () => {
    const { message } = encodeRecord(makeRecord(5, { headers: { a: 'b' } }), { ...options, headers: false, timestamp: 'now' });
    expect(message).toEqual({ key: null, value: Buffer.from('5') });
    expect(encodeRecord(makeRecord(5), options).message.headers).toBeUndefined();
  });

  it('encodes the string and bytes formats and tombstones', () => {
    expect(encodeValue('plain {text', 'string', false)).toEqual(Buffer.from('plain {text'));
    expect(encodeValue({ a: 1 }, 'string', false)).toEqual(Buffer.from('{"a":1}'));
    expect(encodeValue('plain', 'json', false)).toEqual(Buffer.from('"plain"'));
    expect(encodeValue('AAEC+v8=', 'bytes', false)).toEqual(Buffer.from([0, 1, 2, 250, 255]));
    expect(encodeValue(null, 'json', false)).toEqual(Buffer.from('null'));
    expect(encodeValue(undefined, 'json', false)).toEqual(Buffer.from('null'));
    expect(encodeValue(null, 'json', true)).toBeNull();
    expect(encodeValue(null, 'bytes', true)).toBeNull();
  });

  it('refuses values that have no form in the format, as non-retryable errors', () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    const cases: Array<[unknown, 'json' | 'bytes', RegExp]> = [
      [circular, 'json', /^record value has no JSON form: .*circular/i],
      [10n, 'json', /^record value has no JSON form: .*BigInt/],
      [() => 1, 'json', /^record value of type function has no JSON form$/],
      [{ a: 1 }, 'bytes', /^format bytes needs a base64 string value, got object$/],
      ['not base64!', 'bytes', /this string is not base64/],
      [null, 'bytes', /got null/],
    ];
    for (const [value, format, message] of cases) {
      let error: unknown;
      try {
        encodeValue(value, format, false);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(RecordError);
      expect((error as RecordError).retryable).toBe(false);
      expect((error as RecordError).message).toMatch(message);
    }
  });

  it('reports the records of a batch that cannot be written and keeps the others in order', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const batch = [makeRecord({ n: 1 }), makeRecord(circular), makeRecord({ n: 3 }), makeRecord('x'.repeat(5000)), makeRecord({ n: 5 }, { timestamp: Number.NaN })];
    const { messages, failed } = encodeBatch(batch, options, 4096);
    expect(messages.map((m) => m.index)).toEqual([0, 2]);
    expect(failed.map((f) => [f.index, f.error.retryable])).toEqual([
      [1, false],
      [3, false],
      [4, false],
    ]);
    expect(failed[1]!.error.message).toMatch(/^record of about \d+ bytes does not fit in one request \(maxRequestBytes 4096\)$/);
    expect(failed[2]!.error.message).toMatch(/timestamp NaN is not epoch milliseconds/);
  });

  it('splits messages into consecutive requests that stay under the limit', () => {
    const sized = (index: number, bytes: number) => ({ index, bytes, message: { value: null } });
    const messages = [sized(0, 400), sized(1, 400), sized(2, 400), sized(3, 100), sized(4, 700)];
    const requests = splitRequests(messages, REQUEST_OVERHEAD + 900);
    expect(requests.map((r) => r.map((m) => m.index))).toEqual([[0, 1], [2, 3], [4]]);
    expect(splitRequests([], 2000)).toEqual([]);
    expect(splitRequests(messages, 1_000_000)).toHaveLength(1);
  });
});
