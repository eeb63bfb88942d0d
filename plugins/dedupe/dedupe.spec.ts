import { describe, expect, it } from '@jest/globals';
import { describeConfig, makeRecord, prepare, runTransform, validateConfig, type SluiceRecord } from '@sluice/sdk';
import dedupe from './index.js';
import { DedupeTransform } from './dedupe.transform.js';
import { Fnv1a64 } from './identity-hash.js';
import { hashIdentity } from './record-identity.js';

function record(value: unknown, key: string | null = null): SluiceRecord {
  return Object.freeze(makeRecord(Object.freeze(value), { key, timestamp: 1, origin: { pipeline: 'p', source: 's' } }));
}

function issuesOf(raw: unknown) {
  const { config, issues } = validateConfig(dedupe.config, raw);
  return issues.length > 0 ? issues : dedupe.validate!(config, { configDir: '.' });
}

/** A transform on a clock the test moves by hand. */
function withClock(rawConfig: object) {
  // Offsets from an arbitrary origin, as performance.now() has.
  const clock = { time: 0, now() { return 5_000_000 + this.time; } };
  const { config } = prepare(dedupe, rawConfig);
  const transform = new DedupeTransform(config, clock);
  const passes = (r: SluiceRecord) => transform.process(r) !== null;
  return { clock, transform, passes };
}

describe('dedupe: config validation', () => {
  it('has bounded defaults', () => {
    const { config, issues } = validateConfig(dedupe.config, {});
    expect(issues).toEqual([]);
    expect(config).toMatchObject({ maxKeys: 100_000, refreshOnDuplicate: false, onMissingKey: 'pass', timeoutMs: 1_000 });
    expect(config.ttlMs).toBeUndefined();
  });

  it('rejects bad values with the field path', () => {
    expect(issuesOf({ maxKeys: 0 })).toEqual([{ path: 'maxKeys', message: 'must not be less than 1' }]);
    expect(issuesOf({ maxKeys: 'many' })).toEqual([
      { path: 'maxKeys', message: 'must not be less than 1' },
      { path: 'maxKeys', message: 'must be an integer number' },
    ]);
    expect(issuesOf({ ttlMs: 1.5 })).toEqual([{ path: 'ttlMs', message: 'must be an integer number' }]);
    expect(issuesOf({ onMissingKey: 'drop' })).toEqual([{ path: 'onMissingKey', message: 'must be one of the following values: pass, deadLetter' }]);
    expect(issuesOf({ refreshOnDuplicate: 'no' })).toEqual([{ path: 'refreshOnDuplicate', message: 'must be a boolean value' }]);
    expect(issuesOf({ maxkeys: 5 })).toEqual([{ path: 'maxkeys', message: 'unknown field (did you mean "maxKeys"?)' }]);
    expect(issuesOf({ timeoutMs: -1 })).toEqual([{ path: 'timeoutMs', message: 'must not be less than 1' }]);
  });

  it('reports a key expression that does not compile', () => {
    expect(issuesOf({ key: 'id &' })).toEqual([{ path: 'key', message: 'JSONata expression does not compile: Unexpected end of expression (S0207, at position 4, after "id &")' }]);
  });
});

describe('dedupe: by record key (default)', () => {
  it('drops records whose key was already seen and passes the others unchanged', async () => {
    const inputs = [record({ n: 1 }, 'a'), record({ n: 2 }, 'b'), record({ n: 3 }, 'a'), record({ n: 4 }, 'c'), record({ n: 5 }, 'b')];
    const { outputs, dropped, deadLetters } = await runTransform(dedupe, {}, inputs);
    expect(outputs).toEqual([inputs[0], inputs[1], inputs[3]]);
    expect(outputs[0]).toBe(inputs[0]);
    expect(dropped.map((r) => (r.value as { n: number }).n)).toEqual([3, 5]);
    expect(deadLetters).toEqual([]);
  });

  it('passes records without a key, remembering nothing', async () => {
    const { outputs } = await runTransform(dedupe, {}, [record({ n: 1 }), record({ n: 2 }), record({ n: 3 }, 'a')]);
    expect(outputs).toHaveLength(3);
  });

  it('dead-letters records without a key with onMissingKey: deadLetter', async () => {
    const { outputs, deadLetters } = await runTransform(dedupe, { onMissingKey: 'deadLetter' }, [record({ n: 1 }), record({ n: 2 }, 'a')]);
    expect(outputs).toHaveLength(1);
    expect(deadLetters).toEqual([{ record: expect.objectContaining({ value: { n: 1 } }), error: 'the record has no key to deduplicate on', retryable: false }]);
  });
});

describe('dedupe: by key expression', () => {
  it('uses the expression result as identity', async () => {
    const inputs = [record({ order: 1, line: 1 }), record({ order: 1, line: 2 }), record({ order: 1, line: 1 }), record({ order: 2, line: 1 })];
    const { outputs } = await runTransform(dedupe, { key: 'order & "/" & line' }, inputs);
    expect(outputs.map((r) => r.value)).toEqual([{ order: 1, line: 1 }, { order: 1, line: 2 }, { order: 2, line: 1 }]);
  });

  it('tells strings from numbers and compares objects by their JSON text', async () => {
    const inputs = [record({ id: '1' }), record({ id: 1 }), record({ id: 1 }), record({ id: { a: 1, b: 2 } }), record({ id: { a: 1, b: 2 } }), record({ id: { b: 2, a: 1 } })];
    const { outputs } = await runTransform(dedupe, { key: 'id' }, inputs);
    expect(outputs.map((r) => r.value)).toEqual([{ id: '1' }, { id: 1 }, { id: { a: 1, b: 2 } }, { id: { b: 2, a: 1 } }]);
  });

  it('binds the record variables ($key, $headers, ...)', async () => {
    const inputs = [record({}, 'x'), record({}, 'x'), record({}, 'y')];
    const { outputs } = await runTransform(dedupe, { key: '$key & $origin.source' }, inputs);
    expect(outputs.map((r) => r.key)).toEqual(['x', 'y']);
  });

  it('passes, or dead-letters, records whose key expression yields undefined or null', async () => {
    const inputs = [record({ id: 1 }), record({}), record({}), record({ id: null })];
    const passed = await runTransform(dedupe, { key: 'id' }, inputs);
    expect(passed.outputs).toHaveLength(4);
    const strict = await runTransform(dedupe, { key: 'id', onMissingKey: 'deadLetter' }, inputs);
    expect(strict.outputs).toHaveLength(1);
    expect(strict.deadLetters.map((d) => d.error)).toEqual([
      'key yielded nothing: the record has no identity to deduplicate on',
      'key yielded nothing: the record has no identity to deduplicate on',
      'key yielded null: the record has no identity to deduplicate on',
    ]);
  });

  it('evaluates keys outside the fast subset through jsonata', async () => {
    const inputs = [record({ tags: ['b', 'a'] }), record({ tags: ['a', 'b'] }), record({ tags: ['c'] })];
    const { outputs } = await runTransform(dedupe, { key: '$join($sort(tags), ",")' }, inputs);
    expect(outputs.map((r) => r.value)).toEqual([{ tags: ['b', 'a'] }, { tags: ['c'] }]);
  });

  it('answers synchronously for keys the fast evaluator handles, with a promise for the others', async () => {
    const fast = prepare(dedupe, { key: 'id' });
    expect(dedupe.create(fast.config, fast.context).process(record({ id: 1 }))).toEqual(record({ id: 1 }));
    const slow = prepare(dedupe, { key: '$join([$string(id)], ",")' });
    const transform = dedupe.create(slow.config, slow.context);
    const first = transform.process(record({ id: 1 }));
    expect(first).toBeInstanceOf(Promise);
    await expect(first).resolves.toEqual(record({ id: 1 }));
    await expect(transform.process(record({ id: 1 }))).resolves.toBeNull();
  });

  it('bounds the key expression by timeoutMs', async () => {
    const { deadLetters } = await runTransform(dedupe, { key: '($f := function($n) { $f($n + 1) }; $f(0))', timeoutMs: 30 }, [record({})]);
    expect(deadLetters.map((d) => d.error)).toEqual([expect.stringMatching(/^key failed: Evaluation timeout after 30 milliseconds/)]);
  });

  it('dead-letters records the key expression fails on', async () => {
    const { deadLetters, outputs } = await runTransform(dedupe, { key: 'id + 1' }, [record({ id: 'x' }), record({ id: 1 })]);
    expect(outputs).toHaveLength(1);
    expect(deadLetters).toEqual([
      { record: expect.anything(), error: 'key failed: The left side of the "+" operator must evaluate to a number (T2001, position 4, token "+")', retryable: false },
    ]);
  });
});

describe('dedupe: bounded window', () => {
  it('forgets the least recently seen identity beyond maxKeys', () => {
    const { passes } = withClock({ maxKeys: 2 });
    expect(['a', 'b', 'c'].map((k) => passes(record({}, k)))).toEqual([true, true, true]);
    expect(passes(record({}, 'a'))).toBe(true); // forgotten: c and b were seen after it
    expect(passes(record({}, 'c'))).toBe(false);
  });

  it('counts a duplicate as a use for the LRU order', () => {
    const { passes } = withClock({ maxKeys: 2 });
    passes(record({}, 'a'));
    passes(record({}, 'b'));
    expect(passes(record({}, 'a'))).toBe(false); // a is now the most recent
    expect(passes(record({}, 'c'))).toBe(true); // evicts b
    expect(passes(record({}, 'a'))).toBe(false);
    expect(passes(record({}, 'b'))).toBe(true);
  });

  it('keeps memory bounded: never more than maxKeys identities, however long', () => {
    const { transform, passes } = withClock({ maxKeys: 100 });
    for (let i = 0; i < 5_000; i++) passes(record({}, `key-${i}-${'x'.repeat(i % 200)}`));
    expect(transform.health().details).toEqual({ rememberedKeys: 100, maxKeys: 100, droppedDuplicates: 0 });
  });

  it('hashes the identity text: s: and the string, or j: and the JSON text', () => {
    const hashOf = (value: unknown) => {
      const hasher = new Fnv1a64().update('left over');
      return hashIdentity(value, hasher) ? [hasher.hi, hasher.lo] : 'none';
    };
    const hashOfText = (text: string) => {
      const hasher = new Fnv1a64().update(text);
      return [hasher.hi, hasher.lo];
    };
    expect(hashOf('short')).toEqual(hashOfText('s:short'));
    expect(hashOf('')).toEqual(hashOfText('s:'));
    expect(hashOf(1)).toEqual(hashOfText('j:1'));
    expect(hashOf('1')).not.toEqual(hashOf(1));
    expect(hashOf(false)).toEqual(hashOfText('j:false'));
    expect(hashOf({ a: [1] })).toEqual(hashOfText('j:{"a":[1]}'));
    expect(hashOf(() => 1)).toEqual(hashOfText('j:undefined'));
    expect(hashOf(null)).toBe('none');
    expect(hashOf(undefined)).toBe('none');
  });

  it('tells long identities apart by their whole text', () => {
    const { passes } = withClock({});
    const long = 'y'.repeat(10_000);
    expect(passes(record({}, long))).toBe(true);
    expect(passes(record({}, `${'y'.repeat(9_999)}z`))).toBe(true);
    expect(passes(record({}, `z${'y'.repeat(9_999)}`))).toBe(true);
    expect(passes(record({}, long))).toBe(false);
  });

  it('forgets identities after ttlMs, counted from the record that passed', () => {
    const { clock, passes } = withClock({ ttlMs: 1_000 });
    expect(passes(record({}, 'a'))).toBe(true);
    clock.time = 600;
    expect(passes(record({}, 'a'))).toBe(false);
    clock.time = 1_001;
    expect(passes(record({}, 'a'))).toBe(true); // expired: passes and starts a new window
    clock.time = 1_900;
    expect(passes(record({}, 'a'))).toBe(false);
  });

  it('restarts the window on each duplicate with refreshOnDuplicate', () => {
    const { clock, passes } = withClock({ ttlMs: 1_000, refreshOnDuplicate: true });
    passes(record({}, 'a'));
    clock.time = 900;
    expect(passes(record({}, 'a'))).toBe(false);
    clock.time = 1_800;
    expect(passes(record({}, 'a'))).toBe(false); // 900 ms after the last duplicate
    clock.time = 2_901;
    expect(passes(record({}, 'a'))).toBe(true);
  });

  it('applies maxKeys together with ttlMs', () => {
    const { clock, passes } = withClock({ ttlMs: 10_000, maxKeys: 1 });
    passes(record({}, 'a'));
    passes(record({}, 'b'));
    clock.time = 10;
    expect(passes(record({}, 'a'))).toBe(true);
  });

  it('reports remembered identities and dropped duplicates in health()', () => {
    const { transform, passes } = withClock({});
    passes(record({}, 'a'));
    passes(record({}, 'a'));
    passes(record({}, 'b'));
    expect(transform.health()).toEqual({ status: 'up', details: { rememberedKeys: 2, maxKeys: 100_000, droppedDuplicates: 1 } });
  });

  it('runs ttlMs on the default clock when created by the host', async () => {
    const { outputs, dropped } = await runTransform(dedupe, { ttlMs: 60_000, maxKeys: 10 }, [record({}, 'a'), record({}, 'a'), record({}, 'b')]);
    expect(outputs.map((r) => r.key)).toEqual(['a', 'b']);
    expect(dropped).toHaveLength(1);
  });

  it('starts with an empty window for each instance', async () => {
    const first = await runTransform(dedupe, {}, [record({}, 'a')]);
    const second = await runTransform(dedupe, {}, [record({}, 'a')]);
    expect([first.outputs.length, second.outputs.length]).toEqual([1, 1]);
  });
});

describe('dedupe: documentation', () => {
  it('describes every config field in real sentences', () => {
    const fields = describeConfig(dedupe.config);
    expect(fields.length).toBeGreaterThan(0);
    for (const field of fields) expect({ field: field.name, long: field.description.length > 40 }).toEqual({ field: field.name, long: true });
  });

  it('ships examples that are valid configs', () => {
    expect(dedupe.examples?.length).toBeGreaterThan(1);
    for (const example of dedupe.examples ?? []) expect({ title: example.title, issues: issuesOf(example.config) }).toEqual({ title: example.title, issues: [] });
  });
});

/** A transform on the real clock. */
function instance(rawConfig: object): DedupeTransform {
  return new DedupeTransform(prepare(dedupe, rawConfig).config);
}

describe('dedupe: keyed state over partitions', () => {
  it('keys each record by its identity (the same for equal identities), none for a record without one', async () => {
    const transform = instance({ key: 'order.id' });
    const keys = await Promise.all([1, 1, 2].map((id) => transform.stateKeys(makeRecord({ order: { id } }))));
    expect(keys[0]).toHaveLength(1);
    expect(keys[0]![0]).toMatch(/^[0-9a-f]{16}$/);
    expect(keys[1]).toEqual(keys[0]);
    expect(keys[2]).not.toEqual(keys[0]);
    expect(await transform.stateKeys(makeRecord({ other: 1 }))).toEqual([]);
  });

  it('processes a share as the whole record: a record has one identity', async () => {
    const transform = instance({ key: 'order.id' });
    const record = makeRecord({ order: { id: 7 } });
    const [key] = await transform.stateKeys(record);
    expect(await transform.processShare(record, { key: key!, primary: true })).toBe(record);
    expect(await transform.processShare(record, { key: key!, primary: true })).toBeNull();
  });
});
