import { describe, expect, it } from '@jest/globals';
import { describeConfig, makeRecord, prepare, runTransform, validateConfig, type SluiceRecord } from '@sluice/sdk';
import map from './index.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

const envelope = {
  key: 'order-7',
  headers: { 'sluice.file': '/in/orders.jsonl', tenant: 'acme' },
  timestamp: 1_700_000_000_000,
  origin: { pipeline: 'orders', source: 'file', lane: '/in/orders.jsonl', offset: 12 },
};

const order = { order_id: 7, customer: { name: 'ada', city: 'Paris' }, price: 2.5, quantity: 4, status: 'paid', lines: [{ sku: 'a', qty: 1 }, { sku: 'b', qty: 2 }] };

function record(value: unknown = order, overrides: Partial<Omit<SluiceRecord, 'value'>> = {}): SluiceRecord {
  return deepFreeze(makeRecord(structuredClone(value), { ...envelope, ...overrides }));
}

/** Forces the jsonata package: `$merge` is outside the fast evaluator's subset. */
const viaJsonata = (expression: string) => `$merge([${expression}])`;

/** What `sluice validate` reports: decorator issues first, then the plugin's own checks. */
function issuesOf(raw: unknown) {
  const { config, issues } = validateConfig(map.config, raw);
  return issues.length > 0 ? issues : map.validate!(config, { configDir: '.' });
}

describe('map: config validation', () => {
  it('requires a non-empty expression', () => {
    expect(issuesOf({})).toEqual([
      { path: 'expression', message: 'should not be empty' },
      { path: 'expression', message: 'must be a string' },
    ]);
    expect(issuesOf({ expression: '' })).toEqual([{ path: 'expression', message: 'should not be empty' }]);
  });

  it('rejects wrong types and unknown fields with their path', () => {
    expect(issuesOf({ expression: '$', explode: 'yes' })).toEqual([{ path: 'explode', message: 'must be a boolean value' }]);
    expect(issuesOf({ expression: '$', key: 5 })).toEqual([{ path: 'key', message: 'must be a string' }]);
    expect(issuesOf({ expression: '$', headers: ['x'] })).toEqual([{ path: 'headers', message: 'must be an object' }]);
    expect(issuesOf({ expresion: '$', expression: '$' })).toEqual([{ path: 'expresion', message: 'unknown field (did you mean "expression"?)' }]);
    expect(issuesOf({ expression: '$', timeoutMs: 0 })).toEqual([{ path: 'timeoutMs', message: 'must not be less than 1' }]);
  });

  it('fails the harness (as the host) on an invalid config', async () => {
    await expect(runTransform(map, { expression: 'a +' }, [])).rejects.toThrow('invalid transform "map" config: expression: JSONata expression does not compile');
  });

  it('reports expressions that do not compile, with the JSONata position', () => {
    expect(issuesOf({ expression: '{"a": b +}' })).toEqual([
      { path: 'expression', message: 'JSONata expression does not compile: The symbol "}" cannot be used as a unary operator (S0211, at position 10, after "{"a": b +}")' },
    ]);
    const issues = issuesOf({ expression: '$', key: 'id &', headers: { 'x-ok': 'a', 'x-bad': 'a.(', 'x-empty': ' ' } });
    expect(issues.map((issue) => issue.path)).toEqual(['key', 'headers.x-bad', 'headers.x-empty']);
    expect(issues[1]!.message).toContain('Expected ")" before end of expression (S0203, at position 3');
    expect(issues[2]!.message).toBe('must be a JSONata expression (a non-empty string)');
  });

  it('accepts a valid config (the harness runs the same checks as `sluice validate`)', () => {
    expect(() => prepare(map, { expression: '{"id": id}', key: '$string(id)', headers: { h: 'id' }, explode: true })).not.toThrow();
    expect(issuesOf({ expression: '$' })).toEqual([]);
  });
});

describe('map: reshaping values', () => {
  it('renames and derives fields', async () => {
    const { outputs, dropped, deadLetters } = await runTransform(map, { expression: '{"id": order_id, "customer": $uppercase(customer.name), "total": price * quantity}' }, [record()]);
    expect(deadLetters).toEqual([]);
    expect(dropped).toEqual([]);
    expect(outputs.map((o) => o.value)).toEqual([{ id: 7, customer: 'ADA', total: 10 }]);
  });

  it('keeps the envelope (key, headers, timestamp, origin) of the input', async () => {
    const { outputs } = await runTransform(map, { expression: 'customer' }, [record()]);
    expect(outputs[0]).toEqual({ ...envelope, value: { name: 'ada', city: 'Paris' } });
  });

  it.each([
    ['fast evaluator', (e: string) => e],
    ['jsonata package', viaJsonata],
  ])('binds $key, $headers, $timestamp and $origin (%s)', async (_label, wrap) => {
    const expression = wrap('{"k": $key, "file": $headers."sluice.file", "ts": $timestamp, "from": $origin.pipeline & "/" & $origin.source, "line": $origin.offset}');
    const { outputs } = await runTransform(map, { expression }, [record()]);
    expect(outputs[0]!.value).toEqual({ k: 'order-7', file: '/in/orders.jsonl', ts: 1_700_000_000_000, from: 'orders/file', line: 12 });
  });

  it('binds $key to null for records without a key', async () => {
    const { outputs } = await runTransform(map, { expression: '{"k": $key, "none": $key = null}' }, [record(order, { key: null })]);
    expect(outputs[0]!.value).toEqual({ k: null, none: true });
  });

  it.each([
    ['undefined', 'missing_field'],
    ['null', 'null'],
    ['a conditional null', 'status = "open" ? $ : null'],
  ])('drops the record when the result is %s', async (_label, expression) => {
    const { outputs, dropped, deadLetters } = await runTransform(map, { expression }, [record()]);
    expect(outputs).toEqual([]);
    expect(dropped).toHaveLength(1);
    expect(deadLetters).toEqual([]);
  });

  it('passes scalar and boolean results on as values (false is a value, not a drop)', async () => {
    const { outputs } = await runTransform(map, { expression: 'status = "open"' }, [record(), record({ ...order, status: 'open' })]);
    expect(outputs.map((o) => o.value)).toEqual([false, true]);
  });

  it('works on non-object values and on arrays (the latter through jsonata)', async () => {
    const { outputs } = await runTransform(map, { expression: '$ & "!"' }, [record('hi'), record(5)]);
    expect(outputs.map((o) => o.value)).toEqual(['hi!', '5!']);
    const summed = await runTransform(map, { expression: '$sum($)' }, [record([1, 2, 3])]);
    expect(summed.outputs[0]!.value).toBe(6);
    const paths = await runTransform(map, { expression: 'a' }, [record([{ a: 1 }, { a: 2 }])]);
    expect(paths.outputs[0]!.value).toEqual([1, 2]);
  });

  it('produces plain JSON values from jsonata results (no sequences, no prototype-less objects)', async () => {
    const { outputs } = await runTransform(map, { expression: viaJsonata('{"skus": lines.sku, "first": lines[0]}') }, [record()]);
    const value = outputs[0]!.value as { skus: string[]; first: object };
    expect(value).toStrictEqual({ skus: ['a', 'b'], first: { sku: 'a', qty: 1 } });
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value.skus)).toEqual(['0', '1']);
  });

  it('evaluates $now() per record through jsonata', async () => {
    const { outputs } = await runTransform(map, { expression: '{"at": $now()}' }, [record()]);
    expect((outputs[0]!.value as { at: string }).at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('does not let jsonata mark input arrays for the keep-array operator `[]`', async () => {
    const frozen = record();
    const { outputs, deadLetters } = await runTransform(map, { expression: '{"lines": lines[], "skus": lines.sku[]}' }, [frozen]);
    expect(deadLetters).toEqual([]);
    expect(outputs[0]!.value).toEqual({ lines: order.lines, skus: ['a', 'b'] });
    const open = makeRecord({ lines: [{ sku: 'a' }] });
    await runTransform(map, { expression: '{"lines": lines[]}', key: '$string($count($input.lines[]))' }, [open]);
    expect(Object.keys((open.value as { lines: unknown[] }).lines)).toEqual(['0']);
    const viaEval = await runTransform(map, { expression: '$eval("lines[]")' }, [frozen]);
    expect(viaEval.outputs[0]!.value).toEqual(order.lines);
  });

  it('does not mutate the input record (inputs are deep-frozen)', async () => {
    const input = record();
    const snapshot = structuredClone(input);
    const { outputs, deadLetters } = await runTransform(map, { expression: viaJsonata('$ ~> |customer|{"name": "x"}|'), key: 'status', headers: { tenant: '"other"' } }, [input]);
    expect(deadLetters).toEqual([]);
    expect((outputs[0]!.value as typeof order).customer.name).toBe('x');
    expect(input).toEqual(snapshot);
  });
});

describe('map: arrays and explode', () => {
  it('keeps an array result as one value by default', async () => {
    const { outputs } = await runTransform(map, { expression: 'lines.sku' }, [record()]);
    expect(outputs.map((o) => o.value)).toEqual([['a', 'b']]);
  });

  it('emits one record per element with explode, skipping null elements', async () => {
    const { outputs } = await runTransform(map, { expression: 'lines.{"order": $$.order_id, "sku": sku}', explode: true }, [record()]);
    expect(outputs.map((o) => o.value)).toEqual([{ order: 7, sku: 'a' }, { order: 7, sku: 'b' }]);
    expect(outputs.every((o) => o.key === 'order-7' && o.origin.offset === 12)).toBe(true);
    const withNulls = await runTransform(map, { expression: '[1, null, 2]', explode: true }, [record()]);
    expect(withNulls.outputs.map((o) => o.value)).toEqual([1, 2]);
  });

  it('drops the record when exploding an empty array, and passes a non-array result as one record', async () => {
    const { outputs, dropped } = await runTransform(map, { expression: '[]', explode: true }, [record()]);
    expect(outputs).toEqual([]);
    expect(dropped).toHaveLength(1);
    const single = await runTransform(map, { expression: 'order_id', explode: true }, [record()]);
    expect(single.outputs.map((o) => o.value)).toEqual([7]);
  });
});

describe('map: event time', () => {
  it('sets the timestamp from epoch milliseconds or ISO-8601 text, keeps it for null, dead-letters anything else', async () => {
    const at = (value: unknown) => makeRecord({ at: value, n: 1 }, { timestamp: 5 });
    const { outputs, deadLetters } = await runTransform(map, { expression: '$', timestamp: 'at' }, [
      at(1_700_000_000_000),
      at('2025-01-01T00:00:10Z'),
      at(null),
      at('soon'),
      at({ t: 1 }),
    ]);
    expect(outputs.map((o) => o.timestamp)).toEqual([1_700_000_000_000, Date.parse('2025-01-01T00:00:10Z'), 5]);
    expect(deadLetters.map((d) => d.error)).toEqual([expect.stringMatching(/^timestamp must yield/), expect.stringMatching(/^timestamp must yield/)]);
  });

  it('reads $input and the new value like key, together with key and headers', async () => {
    const { outputs } = await runTransform(map, { expression: '{"id": n}', key: '$string(id)', timestamp: '$input.at', headers: { h: '"x"' } }, [makeRecord({ at: 42, n: 3 })]);
    expect([outputs[0]!.key, outputs[0]!.timestamp, outputs[0]!.headers.h]).toEqual(['3', 42, 'x']);
  });
});

describe('map: key and headers', () => {
  it('sets the key from the new value; numbers and booleans become strings', async () => {
    const { outputs } = await runTransform(map, { expression: '{"id": order_id, "paid": status = "paid"}', key: 'id' }, [record()]);
    expect(outputs[0]!.key).toBe('7');
    const boolKey = await runTransform(map, { expression: '{"paid": true}', key: 'paid' }, [record()]);
    expect(boolKey.outputs[0]!.key).toBe('true');
  });

  it('gives the key and header expressions the original value as $input', async () => {
    const { outputs } = await runTransform(map, { expression: '{"sku": lines[0].sku}', key: '$input.customer.name & "/" & sku', headers: { city: '$input.customer.city' } }, [record()]);
    expect(outputs[0]!.key).toBe('ada/a');
    expect(outputs[0]!.headers).toEqual({ ...envelope.headers, city: 'Paris' });
  });

  it('computes a key per element when exploding', async () => {
    const { outputs } = await runTransform(map, { expression: 'lines', explode: true, key: 'sku & ":" & $key' }, [record()]);
    expect(outputs.map((o) => o.key)).toEqual(['a:order-7', 'b:order-7']);
  });

  it('clears the key when its expression yields nothing', async () => {
    const { outputs } = await runTransform(map, { expression: '$', key: 'no_such_field' }, [record()]);
    expect(outputs[0]!.key).toBeNull();
  });

  it('sets, converts and removes headers and keeps the others', async () => {
    const { outputs } = await runTransform(map, { expression: '$', headers: { qty: 'quantity', tenant: 'nothing_here', status: 'status' } }, [record()]);
    expect(outputs[0]!.headers).toEqual({ 'sluice.file': '/in/orders.jsonl', qty: '4', status: 'paid' });
  });

  it('dead-letters a record whose key or header yields an object or array', async () => {
    const { deadLetters } = await runTransform(map, { expression: '$', key: 'customer' }, [record()]);
    expect(deadLetters).toEqual([{ record: expect.anything(), error: 'key must yield a string, number or boolean, got an object', retryable: false }]);
    const headers = await runTransform(map, { expression: '$', headers: { skus: 'lines.sku' } }, [record()]);
    expect(headers.deadLetters[0]!.error).toBe('headers.skus must yield a string, number or boolean, got an array');
  });

  it('uses the jsonata package for key and headers when needed', async () => {
    const { outputs } = await runTransform(map, { expression: 'lines', explode: true, key: '$join([sku, $string(qty)], "-")', headers: { n: '$count($input.lines)' } }, [record()]);
    expect(outputs.map((o) => [o.key, o.headers.n])).toEqual([['a-1', '2'], ['b-2', '2']]);
  });
});

describe('map: evaluation errors go to the dead-letter destination', () => {
  it('reports JSONata type errors with code and position, not retryable', async () => {
    const { outputs, deadLetters } = await runTransform(map, { expression: '{"total": status + 1}' }, [record()]);
    expect(outputs).toEqual([]);
    expect(deadLetters).toEqual([
      {
        record: expect.objectContaining({ key: 'order-7' }),
        error: 'expression failed: The left side of the "+" operator must evaluate to a number (T2001, position 18, token "+")',
        retryable: false,
      },
    ]);
  });

  it('names the failing expression (key, headers.<name>)', async () => {
    const { deadLetters } = await runTransform(map, { expression: '$', key: '$uppercase(order_id)' }, [record()]);
    expect(deadLetters[0]!.error).toMatch(/^key failed: Argument 1 of function "uppercase" does not match function signature \(T0410/);
    const header = await runTransform(map, { expression: '$', headers: { h: '$number("x")' } }, [record()]);
    expect(header.deadLetters[0]!.error).toMatch(/^headers\.h failed: Unable to cast value to a number: "x" \(D3030/);
  });

  it('rejects results that are not JSON: functions and non-finite numbers', async () => {
    const fn = await runTransform(map, { expression: '{"f": $uppercase}' }, [record()]);
    expect(fn.deadLetters[0]!.error).toBe('expression failed: the result holds a function at /f, which is not JSON data');
    const infinite = await runTransform(map, { expression: '{"ratio": price / 0}' }, [record()]);
    expect(infinite.deadLetters[0]!.error).toBe('expression failed: the result holds the number Infinity at /ratio, which is not JSON data');
  });

  it('dead-letters runaway recursion instead of exhausting memory', async () => {
    const { deadLetters } = await runTransform(map, { expression: '($f := function($n) { 1 + $f($n + 1) }; $f(0))' }, [record()]);
    expect(deadLetters[0]!.error).toMatch(/^expression failed: Stack overflow\. Check for non-terminating recursive function\..*\(D1011/);
  });

  it('dead-letters endless (tail-recursive) loops after timeoutMs', async () => {
    const loop = '($f := function($n) { $f($n + 1) }; $f(0))';
    const { outputs, deadLetters } = await runTransform(map, { expression: `$exists(stop) ? 1 : ${loop}`, timeoutMs: 50 }, [record(), record({ stop: true })]);
    expect(deadLetters.map((d) => d.error)).toEqual([expect.stringMatching(/^expression failed: Evaluation timeout after 50 milliseconds\. Check for infinite loop \(D1012/)]);
    expect(outputs.map((o) => o.value)).toEqual([1]);
  });

  it('keeps going after a failing record', async () => {
    const { outputs, deadLetters } = await runTransform(map, { expression: 'price * 2' }, [record(), record({ price: 'x' }), record({ price: 1 })]);
    expect(outputs.map((o) => o.value)).toEqual([5, 2]);
    expect(deadLetters).toHaveLength(1);
  });
});

describe('map: synchronous fast path', () => {
  it('returns records synchronously for subset expressions and a promise otherwise', () => {
    const { config, context } = prepare(map, { expression: '{"id": order_id}' });
    const fast = map.create(config, context).process(record());
    expect(fast).not.toBeInstanceOf(Promise);
    expect((fast as SluiceRecord).value).toEqual({ id: 7 });
    const slow = prepare(map, { expression: viaJsonata('{"id": order_id}') });
    expect(map.create(slow.config, slow.context).process(record())).toBeInstanceOf(Promise);
  });

  it('stays synchronous with key and headers when every expression runs on the fast evaluator', () => {
    const fast = prepare(map, { expression: 'lines', explode: true, key: 'sku & "-" & $string(qty)', headers: { qty: 'qty' } });
    const outputs = map.create(fast.config, fast.context).process(record());
    expect(outputs).not.toBeInstanceOf(Promise);
    expect((outputs as SluiceRecord[]).map((o) => [o.key, o.headers.qty])).toEqual([['a-1', '1'], ['b-2', '2']]);
  });

  it('combines results of both evaluators: a promise as soon as one expression needs jsonata', async () => {
    const { config, context } = prepare(map, { expression: 'lines', explode: true, key: '$join([sku, "x"], "-")', headers: { qty: 'qty' } });
    const outputs = map.create(config, context).process(record());
    expect(outputs).toBeInstanceOf(Promise);
    expect(((await outputs) as SluiceRecord[]).map((o) => [o.key, o.headers.qty])).toEqual([['a-x', '1'], ['b-x', '2']]);
  });

  it('reports the first failing expression in config order, whichever evaluator fails first', async () => {
    // The key fails after some 200 recursive jsonata steps, the header at once.
    const slowFailure = '($f := function($n) { $n = 0 ? $number("x") : $f($n - 1) }; $f(200))';
    const { deadLetters } = await runTransform(map, { expression: '$', key: slowFailure, headers: { h: '$number("y")' } }, [record()]);
    expect(deadLetters.map((d) => d.error)).toEqual([expect.stringMatching(/^key failed: Unable to cast value to a number: "x"/)]);
  });
});

describe('map: documentation', () => {
  it('describes every config field in real sentences', () => {
    const fields = describeConfig(map.config);
    expect(fields.length).toBeGreaterThan(0);
    for (const field of fields) expect({ field: field.name, long: field.description.length > 40 }).toEqual({ field: field.name, long: true });
  });

  it('ships examples that are valid configs', () => {
    expect(map.examples?.length).toBeGreaterThan(1);
    for (const example of map.examples ?? []) expect({ title: example.title, issues: issuesOf(example.config) }).toEqual({ title: example.title, issues: [] });
  });
});
