import { describe, expect, it } from '@jest/globals';
import { describeConfig, makeRecord, prepare, runTransform, validateConfig, type SluiceRecord } from '@sluice/sdk';
import filter from './index.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

function record(value: unknown, overrides: Partial<Omit<SluiceRecord, 'value'>> = {}): SluiceRecord {
  return deepFreeze(makeRecord(value, { key: 'k1', headers: { tenant: 'acme' }, timestamp: 1_000, origin: { pipeline: 'p', source: 'file', lane: 'a.csv', offset: 3 }, ...overrides }));
}

function issuesOf(raw: unknown) {
  const { config, issues } = validateConfig(filter.config, raw);
  return issues.length > 0 ? issues : filter.validate!(config, { configDir: '.' });
}

describe('filter: config validation', () => {
  it('requires a non-empty string condition', () => {
    expect(issuesOf({})).toEqual([
      { path: 'condition', message: 'should not be empty' },
      { path: 'condition', message: 'must be a string' },
    ]);
    expect(issuesOf({ condition: 42 })).toEqual([{ path: 'condition', message: 'must be a string' }]);
    expect(issuesOf({ condition: 'a', invert: true })).toEqual([{ path: 'invert', message: 'unknown field' }]);
    expect(issuesOf({ condition: 'a', timeoutMs: 2.5 })).toEqual([{ path: 'timeoutMs', message: 'must be an integer number' }]);
  });

  it('reports a condition that does not compile, with the position', () => {
    expect(issuesOf({ condition: 'amount >= ' })).toEqual([
      { path: 'condition', message: 'JSONata expression does not compile: Unexpected end of expression (S0207, at position 10, after "amount >= ")' },
    ]);
    expect(issuesOf({ condition: 'amount >= 1' })).toEqual([]);
  });
});

describe('filter: keeping and dropping', () => {
  const orders = [
    record({ id: 1, status: 'paid', amount: 150 }),
    record({ id: 2, status: 'paid', amount: 50 }),
    record({ id: 3, status: 'open', amount: 500 }),
    record({ id: 4, amount: 900 }),
  ];

  it('keeps records whose condition is true, drops the others, unchanged', async () => {
    const { outputs, dropped, deadLetters } = await runTransform(filter, { condition: 'status = "paid" and amount >= 100' }, orders);
    expect(outputs).toEqual([orders[0]]);
    expect(outputs[0]).toBe(orders[0]);
    expect(dropped.map((r) => (r.value as { id: number }).id)).toEqual([2, 3, 4]);
    expect(deadLetters).toEqual([]);
  });

  it('drops a record when the condition is undefined (a missing field)', async () => {
    const { outputs, dropped } = await runTransform(filter, { condition: 'flagged' }, [record({ id: 1 })]);
    expect(outputs).toEqual([]);
    expect(dropped).toHaveLength(1);
  });

  it.each<[string, unknown, boolean]>([
    ['true', true, true],
    ['false', false, false],
    ['null', null, false],
    ['a non-empty string', 'yes', true],
    ['an empty string', '', false],
    ['a non-zero number', -2, true],
    ['zero', 0, false],
    ['a non-empty object', { a: 1 }, true],
    ['an empty object', {}, false],
    ['an array with a truthy member', [0, 'x'], true],
    ['an array of falsy members', [0, ''], false],
    ['an empty array', [], false],
  ])('casts %s like $boolean()', async (_label, flag, kept) => {
    const { outputs } = await runTransform(filter, { condition: 'flag' }, [record({ flag })]);
    expect(outputs).toHaveLength(kept ? 1 : 0);
    // The jsonata package (here through $boolean) agrees with the cast.
    const viaBoolean = await runTransform(filter, { condition: '$boolean(flag)' }, [record({ flag })]);
    expect(viaBoolean.outputs).toHaveLength(kept ? 1 : 0);
  });

  it('binds $key, $headers, $timestamp and $origin', async () => {
    const condition = '$key = "k1" and $headers.tenant = "acme" and $timestamp = 1000 and $origin.source = "file" and $origin.offset = 3';
    expect((await runTransform(filter, { condition }, [record({})])).outputs).toHaveLength(1);
    expect((await runTransform(filter, { condition }, [record({}, { key: 'other' })])).outputs).toHaveLength(0);
  });

  it('evaluates conditions outside the fast subset through jsonata (a promise)', async () => {
    const { outputs } = await runTransform(filter, { condition: '$count(items[price > 10]) > 1' }, [
      record({ items: [{ price: 20 }, { price: 30 }] }),
      record({ items: [{ price: 20 }, { price: 3 }] }),
    ]);
    expect(outputs.map((r) => (r.value as { items: unknown[] }).items.length)).toEqual([2]);
    const { config, context } = prepare(filter, { condition: '$count(items) > 0' });
    expect(filter.create(config, context).process(record({ items: [1] }))).toBeInstanceOf(Promise);
    const fast = prepare(filter, { condition: 'amount > 0' });
    expect(filter.create(fast.config, fast.context).process(record({ amount: 1 }))).not.toBeInstanceOf(Promise);
  });

  it('works on non-object values', async () => {
    const { outputs } = await runTransform(filter, { condition: '$ > 10' }, [record(5), record(50)]);
    expect(outputs.map((r) => r.value)).toEqual([50]);
  });
});

describe('filter: errors', () => {
  it('dead-letters records whose condition loops beyond timeoutMs', async () => {
    const { deadLetters } = await runTransform(filter, { condition: '($f := function($n) { $f($n + 1) }; $f(0))', timeoutMs: 30 }, [record({})]);
    expect(deadLetters.map((d) => d.error)).toEqual([expect.stringMatching(/^condition failed: Evaluation timeout after 30 milliseconds/)]);
  });

  it('dead-letters records the condition cannot be evaluated on, with JSONata\'s message', async () => {
    const { outputs, deadLetters } = await runTransform(filter, { condition: 'amount > 100' }, [record({ amount: 'lots' }), record({ amount: 200 })]);
    expect(outputs).toHaveLength(1);
    expect(deadLetters).toEqual([
      {
        record: expect.objectContaining({ value: { amount: 'lots' } }),
        error: 'condition failed: The values "lots" and 100 either side of operator ">" must be of the same data type (T2009, position 8, token ">")',
        retryable: false,
      },
    ]);
  });
});

describe('filter: documentation', () => {
  it('describes every config field in real sentences', () => {
    const fields = describeConfig(filter.config);
    expect(fields.length).toBeGreaterThan(0);
    for (const field of fields) expect({ field: field.name, long: field.description.length > 40 }).toEqual({ field: field.name, long: true });
  });

  it('ships examples that are valid configs', () => {
    expect(filter.examples?.length).toBeGreaterThan(1);
    for (const example of filter.examples ?? []) expect({ title: example.title, issues: issuesOf(example.config) }).toEqual({ title: example.title, issues: [] });
  });
});
