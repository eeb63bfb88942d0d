import { describe, expect, it } from '@jest/globals';
import { validateConfig } from '@sluice/sdk';
import { GeneratorConfig } from './generator.config.js';
import { RecordFactory } from './record-factory.js';

function factory(raw: Record<string, unknown>): RecordFactory {
  const { config, issues } = validateConfig(GeneratorConfig, raw);
  expect(issues).toEqual([]);
  return new RecordFactory(config);
}

function values(raw: Record<string, unknown>, n: number): Array<Record<string, unknown>> {
  const f = factory(raw);
  return Array.from({ length: n }, (_, i) => f.make(i).value);
}

describe('RecordFactory', () => {
  it('makes record n the same way whether or not the records before it were made', () => {
    const a = factory({ seed: 9 });
    for (let i = 0; i < 100; i++) a.make(i);
    const b = factory({ seed: 9 });
    expect(b.make(57)).toEqual(a.make(57));
    expect(a.make(57)).toEqual(a.make(57));
  });

  it('depends on the seed', () => {
    expect(factory({ seed: 1 }).make(0).value).not.toEqual(factory({ seed: 2 }).make(0).value);
  });

  it('builds the default order-like shape', () => {
    const record = factory({}).make(3).value;
    expect(Object.keys(record)).toEqual(['id', 'event_id', 'user_id', 'amount', 'currency', 'status', 'created_at', 'express', 'note']);
    expect(record.id).toBe(3);
    expect(record.created_at).toBe('2025-01-01T00:00:03.000Z');
    expect(typeof record.express).toBe('boolean');
    expect(record.note).toMatch(/^[A-Za-z0-9]{16}$/);
  });

  it('numbers sequences from start by step', () => {
    const rows = values({ fields: { n: { type: 'sequence', start: 100, step: 5 } } }, 4);
    expect(rows.map((r) => r.n)).toEqual([100, 105, 110, 115]);
  });

  it('makes RFC 4122 version 4 uuids, all distinct', () => {
    const ids = values({ fields: { id: 'uuid' } }, 2000).map((r) => r.id as string);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps ints within [min, max] and reaches both ends', () => {
    const rows = values({ fields: { n: { type: 'int', min: 3, max: 6 } } }, 500).map((r) => r.n as number);
    expect(rows.every((n) => Number.isInteger(n) && n >= 3 && n <= 6)).toBe(true);
    expect(new Set(rows)).toEqual(new Set([3, 4, 5, 6]));
  });

  it('keeps floats within [min, max] with the configured decimals', () => {
    const rows = values({ fields: { x: { type: 'float', min: -5, max: 5, decimals: 1 } } }, 500).map((r) => r.x as number);
    expect(rows.every((x) => x >= -5 && x <= 5 && Math.round(x * 10) / 10 === x)).toBe(true);
    expect(new Set(rows).size).toBeGreaterThan(50);
  });

  it('makes alphanumeric strings of the configured length', () => {
    const rows = values({ fields: { s: { type: 'string', length: 7 } } }, 50).map((r) => r.s as string);
    for (const s of rows) expect(s).toMatch(/^[A-Za-z0-9]{7}$/);
    expect(new Set(rows).size).toBe(50);
  });

  it('picks every value of the list and nothing else', () => {
    const rows = values({ fields: { c: { type: 'pick', values: ['a', 2, { x: 1 }] } } }, 300).map((r) => JSON.stringify(r.c));
    expect(new Set(rows)).toEqual(new Set(['"a"', '2', '{"x":1}']));
  });

  it('advances simulated timestamps by stepMs, as ISO or epoch', () => {
    const iso = values({ fields: { t: { type: 'timestamp', from: '2024-02-29T23:59:59Z', stepMs: 500 } } }, 3).map((r) => r.t);
    expect(iso).toEqual(['2024-02-29T23:59:59.000Z', '2024-02-29T23:59:59.500Z', '2024-03-01T00:00:00.000Z']);
    const epoch = values({ fields: { t: { type: 'timestamp', format: 'epoch', from: '1970-01-01T00:00:10Z' } } }, 2).map((r) => r.t);
    expect(epoch).toEqual([10_000, 11_000]);
  });

  it('uses the current time for wall-clock timestamps', () => {
    const before = Date.now();
    const t = factory({ fields: { t: { type: 'timestamp', clock: 'wall', format: 'epoch' } } }).make(0).value.t as number;
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });

  it('draws booleans with the configured probability', () => {
    const always = values({ fields: { b: { type: 'bool', probability: 1 } } }, 50);
    expect(always.every((r) => r.b === true)).toBe(true);
    const never = values({ fields: { b: { type: 'bool', probability: 0 } } }, 50);
    expect(never.every((r) => r.b === false)).toBe(true);
    const share = values({ fields: { b: { type: 'bool', probability: 0.25 } } }, 4000).filter((r) => r.b).length / 4000;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.3);
  });

  it('repeats constants and nulls fields at the configured rate', () => {
    const rows = values({ fields: { src: { type: 'constant', value: 'web' }, n: { type: 'int', nullRate: 0.5 } } }, 2000);
    expect(rows.every((r) => r.src === 'web')).toBe(true);
    const nulls = rows.filter((r) => r.n === null).length;
    expect(nulls).toBeGreaterThan(800);
    expect(nulls).toBeLessThan(1200);
    expect(rows.filter((r) => r.n !== null).every((r) => typeof r.n === 'number')).toBe(true);
  });

  it('takes the key from the configured field, as a string', () => {
    const f = factory({ fields: { id: { type: 'sequence', start: 10 }, name: 'uuid' }, keyField: 'id' });
    expect(f.make(2).key).toBe('12');
    const s = factory({ fields: { id: 'uuid' }, keyField: 'id' }).make(0);
    expect(s.key).toBe(s.value.id);
    const n = factory({ fields: { id: { type: 'int', nullRate: 1 } }, keyField: 'id' }).make(0);
    expect(n.key).toBeNull();
    expect(factory({ fields: { id: 'uuid' } }).make(0).key).toBeNull();
  });

  it('pads records to exactly payloadBytes of JSON', () => {
    for (const payloadBytes of [300, 1024, 4096]) {
      const f = factory({ payloadBytes });
      for (let i = 0; i < 20; i++) {
        const { value } = f.make(i * 7919);
        expect(Buffer.byteLength(JSON.stringify(value))).toBe(payloadBytes);
        expect(value.payload).toMatch(/^[A-Za-z0-9]*$/);
      }
    }
  });

  it('pads exactly when values need JSON escaping or take several UTF-8 bytes', () => {
    const f = factory({
      payloadBytes: 500,
      fields: {
        'naïve "key"': { type: 'pick', values: ['é€😀', 'tab\there', 'quote"back\\slash', 12.5, null, true, { nested: ['x'] }] },
        n: { type: 'float', min: -1000, max: 1000, decimals: 6 },
        big: { type: 'int', min: -(2 ** 52), max: 2 ** 52 },
      },
    });
    for (let i = 0; i < 200; i++) expect(Buffer.byteLength(JSON.stringify(f.make(i).value))).toBe(500);
  });

  it('leaves records already bigger than payloadBytes as they are (with an empty padding field)', () => {
    const { value } = factory({ payloadBytes: 10 }).make(0);
    expect(value.payload).toBe('');
    expect(Buffer.byteLength(JSON.stringify(value))).toBeGreaterThan(10);
  });
});
