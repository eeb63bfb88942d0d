import { describe, expect, it } from '@jest/globals';
import {
  defineSink,
  invalidRecord,
  isQueryable,
  isRetryable,
  JsonataExpression,
  makeRecord,
  RECORD_VARIABLES,
  RecordError,
  silentLogger,
  type PluginContext,
  type Queryable,
  type Sink,
  type SinkWriteResult,
  type SluiceRecord,
} from '@sluice/sdk';
import {
  memorySink,
  routeConfigs,
  scriptedTransform,
  sinkControl,
  transformControl,
  type RouteParts,
  type ScriptedTransformControl,
} from '../../testing/memory-plugins.js';
import { QueryableRoutedSink } from './queryable-routed-sink.js';
import { RoutedSink } from './routed-sink.js';
import { createRoutesSink, RoutesSinkConfig } from './routes-sink.js';

const context: PluginContext = { pipeline: 'test', stage: 'sink', logger: silentLogger, configDir: '/tmp', dataDir: '/tmp' };

/** The routes sink as the pipeline creates it from resolved routes. */
function routed(routes: readonly RouteParts[], unrouted: 'deadLetter' | 'drop' = 'deadLetter'): RoutedSink {
  return createRoutesSink(Object.assign(new RoutesSinkConfig(), { routes: routeConfigs(routes), unrouted }), context);
}

const seq = (record: SluiceRecord) => (record.value as { seq: number }).seq;
const seqs = (records: readonly SluiceRecord[]) => records.map(seq);
const seenSeqs = (control: ScriptedTransformControl) => control.seen.map((value) => (value as { seq: number }).seq);
const batchOf = (...values: object[]) => values.map((value, i) => makeRecord({ seq: i, ...value }, { key: `k${i}` }));

/** What `write` threw (fails the test when it resolved). */
async function thrownBy(promise: Promise<unknown>): Promise<unknown> {
  const outcome = await promise.then(
    (value) => ({ resolved: value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected the write to throw, it resolved with ${JSON.stringify(outcome.resolved)}`);
  return outcome.error;
}

/** The failed records of a write result: index → error message and retryability. */
function failures(result: void | SinkWriteResult): Array<{ index: number; message: string; retryable: boolean }> {
  return (result?.failed ?? []).map(({ index, error }) => ({ index, message: (error as Error).message, retryable: isRetryable(error) })).sort((a, b) => a.index - b.index);
}

/** A transform returning each record once per part, `{ ...value, part }`. */
function exploding(control: ScriptedTransformControl, parts: number) {
  control.process = (record) => Array.from({ length: parts }, (_, p) => ({ ...record, value: { ...(record.value as object), part: p + 1 } }));
  return scriptedTransform(control, 'explode');
}

class NoOptions {}

/** A sink that records its lifecycle (`<name>.start`, `<name>.stop`) and can fail it. */
function lifecycleSink(name: string, events: string[], options: { failStarts?: number; failStop?: boolean } = {}) {
  let failStarts = options.failStarts ?? 0;
  return defineSink({
    name,
    version: '1.0.0',
    description: 'test sink recording start and stop',
    config: NoOptions,
    create: (): Sink => ({
      async start() {
        events.push(`${name}.start`);
        if (failStarts-- > 0) throw new Error(`${name} cannot start`);
      },
      async write() {},
      async stop() {
        events.push(`${name}.stop`);
        if (options.failStop) throw new Error(`${name} cannot stop`);
      },
    }),
  });
}

/** A queryable sink holding `datasets`; its answers name it, so that a test sees which sink answered. */
function queryableSink(name: string, datasets: readonly string[]) {
  return defineSink({
    name,
    version: '1.0.0',
    description: 'test queryable sink',
    config: NoOptions,
    create: (): Sink & Queryable => ({
      async start() {},
      async write() {},
      async stop() {},
      async listDatasets() {
        return datasets.map((dataset) => ({ name: dataset, columns: [{ name: 'v', type: 'number' as const }] }));
      },
      async queryTable(query) {
        return { columns: [{ name: 'sink', type: 'string' }], rows: [[name, query.dataset]] };
      },
      async queryTimeSeries(query) {
        return [{ name: `${name}:${query.dataset}`, points: [] }];
      },
    }),
  });
}

describe('RoutedSink: routing', () => {
  it('hands each record to every route whose condition holds, and to none when none holds (unrouted: drop)', async () => {
    const a = sinkControl();
    const b = sinkControl();
    const sink = routed(
      [
        { name: 'a', when: "kind in ['a', 'both']", sink: memorySink(a, 'sink-a') },
        { name: 'b', when: "kind in ['b', 'both']", sink: memorySink(b, 'sink-b') },
      ],
      'drop',
    );
    const batch = batchOf({ kind: 'a' }, { kind: 'b' }, { kind: 'both' }, { kind: 'none' });
    expect(await sink.write(batch)).toBeUndefined();
    expect(seqs(a.stored)).toEqual([0, 2]);
    expect(seqs(b.stored)).toEqual([1, 2]);
    // One write per route per batch; without transforms a route stores the record itself.
    expect([a.writes, b.writes]).toEqual([1, 1]);
    expect(a.stored[1]).toBe(batch[2]);
  });

  it('gives every record to a route without a condition', async () => {
    const all = sinkControl();
    const some = sinkControl();
    const sink = routed([
      { name: 'some', when: 'seq > 1', sink: memorySink(some) },
      { name: 'all', sink: memorySink(all) },
    ]);
    expect(await sink.write(batchOf({}, {}, {}))).toBeUndefined();
    expect(seqs(all.stored)).toEqual([0, 1, 2]);
    expect(seqs(some.stored)).toEqual([2]);
  });

  it('binds the record envelope in conditions, also those only the jsonata package evaluates', async () => {
    const byKey = sinkControl();
    const tagged = sinkControl();
    const lambda = '$count($filter(tags, function($t) { $t = "x" })) > 0';
    // The second condition exercises the asynchronous evaluation path.
    expect(JsonataExpression.compile(lambda, RECORD_VARIABLES).accelerated).toBe(false);
    const sink = routed(
      [
        { name: 'by-key', when: '$key = "k1"', sink: memorySink(byKey) },
        { name: 'tagged', when: lambda, sink: memorySink(tagged) },
      ],
      'drop',
    );
    await sink.write(batchOf({ tags: ['x'] }, { tags: [] }, { tags: ['y', 'x'] }));
    expect(seqs(byKey.stored)).toEqual([1]);
    expect(seqs(tagged.stored)).toEqual([0, 2]);
  });

  it('fails the records no route takes with unrouted: deadLetter, naming the routes', async () => {
    const a = sinkControl();
    const sink = routed([
      { name: 'a', when: 'kind = "a"', sink: memorySink(a) },
      { name: 'b', when: 'kind = "b"', sink: memorySink(sinkControl()) },
    ]);
    const result = await sink.write(batchOf({ kind: 'a' }, { kind: 'c' }, { kind: 'a' }));
    expect(failures(result)).toEqual([{ index: 1, message: 'matched no route (routes: a, b)', retryable: false }]);
    expect(seqs(a.stored)).toEqual([0, 2]);
  });

  it('fails a record for good when a condition cannot be evaluated on it; the other routes still take it', async () => {
    const a = sinkControl();
    const b = sinkControl();
    const sink = routed([
      { name: 'a', when: 'speed * 2 > 10', sink: memorySink(a) },
      { name: 'b', sink: memorySink(b) },
    ]);
    const result = await sink.write(batchOf({ speed: 9 }, { speed: 'fast' }, { speed: 1 }));
    const [failure] = failures(result);
    expect(failures(result)).toHaveLength(1);
    expect(failure).toMatchObject({ index: 1, retryable: false });
    expect(failure!.message).toMatch(/^route "a": condition \(when\) failed: /);
    expect(seqs(a.stored)).toEqual([0]);
    expect(seqs(b.stored)).toEqual([0, 1, 2]);
  });
});

describe('RoutedSink: route transforms', () => {
  it("runs each route's own transforms in order: one record exploded into several, each through the next transform", async () => {
    const split = sinkControl();
    const plain = sinkControl();
    const tag = transformControl({ process: (record) => ({ ...record, value: { ...(record.value as object), tagged: true } }) });
    const sink = routed([
      { name: 'split', transforms: [exploding(transformControl(), 2), scriptedTransform(tag, 'tag')], sink: memorySink(split) },
      { name: 'plain', sink: memorySink(plain) },
    ]);
    const batch = batchOf({}, {});
    expect(await sink.write(batch)).toBeUndefined();
    expect(split.stored.map((r) => r.value)).toEqual([
      { seq: 0, part: 1, tagged: true },
      { seq: 0, part: 2, tagged: true },
      { seq: 1, part: 1, tagged: true },
      { seq: 1, part: 2, tagged: true },
    ]);
    expect(split.stored[2]!.key).toBe('k1');
    expect(tag.seen).toHaveLength(4);
    // Another route's transforms do not touch what this route stores.
    expect(plain.stored).toEqual(batch);
  });

  it('acknowledges a record that a route takes and its transforms filter out, without writing to its sink', async () => {
    const odd = sinkControl();
    const filter = transformControl({ process: (record) => (seq(record) % 2 === 1 ? record : seq(record) === 0 ? null : []) });
    const sink = routed([{ name: 'odd', transforms: [scriptedTransform(filter, 'filter')], sink: memorySink(odd) }]);
    expect(await sink.write(batchOf({}, {}, {}))).toBeUndefined();
    expect(seqs(odd.stored)).toEqual([1]);
    expect(await sink.write(batchOf({}))).toBeUndefined();
    expect(odd.writes).toBe(1);
  });

  it('fails a record for good on bad data in a route transform, naming the route and stage; other routes still store it', async () => {
    const a = sinkControl();
    const b = sinkControl();
    const check = transformControl({
      process: (record) => {
        if (seq(record) === 1) throw invalidRecord('speed is missing');
        return record;
      },
    });
    const sink = routed([
      { name: 'a', transforms: [scriptedTransform(check, 'check')], sink: memorySink(a) },
      { name: 'b', sink: memorySink(b) },
    ]);
    const result = await sink.write(batchOf({}, {}, {}));
    expect(failures(result)).toEqual([{ index: 1, message: 'route "a": routes.a.transforms[0] (check): speed is missing', retryable: false }]);
    expect(seqs(a.stored)).toEqual([0, 2]);
    expect(seqs(b.stored)).toEqual([0, 1, 2]);
  });

  it('fails a record retryably when a route transform fails retryably, and resumes that route where it failed', async () => {
    const a = sinkControl();
    const b = sinkControl();
    const first = transformControl();
    let flaked = false;
    const flaky = transformControl({
      process: (record) => {
        if (seq(record) === 1 && (record.value as { part: number }).part === 2 && !flaked) {
          flaked = true;
          throw new Error('lookup timed out');
        }
        return record;
      },
    });
    const sink = routed([
      { name: 'a', transforms: [exploding(first, 2), scriptedTransform(flaky, 'flaky')], sink: memorySink(a) },
      { name: 'b', sink: memorySink(b) },
    ]);
    const batch = batchOf({}, {}, {});
    const result = await sink.write(batch);
    // Not the whole batch: only the record, so that the runtime retries it under its retry policy.
    expect(failures(result)).toEqual([{ index: 1, message: 'route "a": routes.a.transforms[1] (flaky): lookup timed out', retryable: true }]);
    expect(seqs(a.stored)).toEqual([0, 0, 2, 2]);
    expect(seqs(b.stored)).toEqual([0, 1, 2]);

    // The runtime writes the failed record again.
    expect(await sink.write([batch[1]!])).toBeUndefined();
    expect(a.stored.slice(4).map((r) => r.value)).toEqual([
      { seq: 1, part: 1 },
      { seq: 1, part: 2 },
    ]);
    // Each transform saw each of its inputs once, except the input that failed (seen again).
    expect(seenSeqs(first)).toEqual([0, 1, 2]);
    expect(flaky.seen).toEqual([
      { seq: 0, part: 1 },
      { seq: 0, part: 2 },
      { seq: 1, part: 1 },
      { seq: 1, part: 2 },
      { seq: 2, part: 1 },
      { seq: 2, part: 2 },
      { seq: 1, part: 2 },
    ]);
    expect(b.writes).toBe(1);
  });

  it('reports a record that fails for good in one route and retryably in another as failed for good', async () => {
    const retryable = transformControl({
      process: () => {
        throw new RecordError('busy', { retryable: true });
      },
    });
    const bad = transformControl({
      process: () => {
        throw invalidRecord('not a vehicle');
      },
    });
    const sink = routed([
      { name: 'a', transforms: [scriptedTransform(retryable, 'busy')], sink: memorySink(sinkControl()) },
      { name: 'b', transforms: [scriptedTransform(bad, 'bad')], sink: memorySink(sinkControl()) },
    ]);
    expect(failures(await sink.write(batchOf({})))).toEqual([{ index: 0, message: 'route "b": routes.b.transforms[0] (bad): not a vehicle', retryable: false }]);
  });
});

describe('RoutedSink: route sink failures', () => {
  it("maps a route sink's per-record failures back to the input record, and writes only the refused output again", async () => {
    const split = sinkControl({
      refuse: (record) => ((record.value as { seq: number; part: number }).seq === 2 && (record.value as { part: number }).part === 2 ? new RecordError('timeout', { retryable: true }) : undefined),
    });
    const plain = sinkControl();
    const explode = transformControl();
    const sink = routed([
      { name: 'split', transforms: [exploding(explode, 2)], sink: memorySink(split, 'store') },
      { name: 'plain', sink: memorySink(plain) },
    ]);
    const batch = batchOf({}, {}, {});
    const result = await sink.write(batch);
    // Output 5 of the route's write is record 2's second part.
    expect(failures(result)).toEqual([{ index: 2, message: 'route "split": routes.split.sink (store): timeout', retryable: true }]);
    expect(split.stored).toHaveLength(5);

    split.refuse = undefined;
    expect(await sink.write([batch[2]!])).toBeUndefined();
    expect(split.stored.slice(5).map((r) => r.value)).toEqual([{ seq: 2, part: 2 }]);
    expect(split.writes).toBe(2);
    expect(plain.writes).toBe(1);
    expect(seenSeqs(explode)).toEqual([0, 1, 2]);
  });

  it('writes the batch again after a route sink threw (retryable): the route that stored it is not written twice, no transform sees a record twice', async () => {
    const a = sinkControl();
    let failures = 1;
    const b = sinkControl({
      beforeWrite: () => {
        if (failures-- > 0) throw new Error('connection reset');
      },
    });
    const countA = transformControl();
    const countB = transformControl();
    const sink = routed([
      { name: 'a', transforms: [scriptedTransform(countA, 'count-a')], sink: memorySink(a, 'store-a') },
      { name: 'b', transforms: [scriptedTransform(countB, 'count-b')], sink: memorySink(b, 'store-b') },
    ]);
    const batch = batchOf({}, {}, {});
    const error = await thrownBy(sink.write(batch));
    expect(isRetryable(error)).toBe(true);
    expect((error as Error).message).toBe('route "b": routes.b.sink (store-b): connection reset');
    expect(seqs(a.stored)).toEqual([0, 1, 2]);

    expect(await sink.write(batch)).toBeUndefined();
    expect(seqs(b.stored)).toEqual([0, 1, 2]);
    expect(seqs(a.stored)).toEqual([0, 1, 2]);
    expect([a.writes, b.writes]).toEqual([1, 2]);
    expect(seenSeqs(countA)).toEqual([0, 1, 2]);
    expect(seenSeqs(countB)).toEqual([0, 1, 2]);
  });

  it('after a non-retryable throw, record-by-record writes (as the runtime isolates) skip what the routes stored', async () => {
    const a = sinkControl();
    const b = sinkControl({
      beforeWrite: (batch) => {
        if (seqs(batch).includes(1)) throw invalidRecord('value too long for column');
      },
    });
    const countA = transformControl();
    const countB = transformControl();
    const sink = routed([
      { name: 'a', transforms: [scriptedTransform(countA, 'count-a')], sink: memorySink(a) },
      { name: 'b', transforms: [scriptedTransform(countB, 'count-b')], sink: memorySink(b, 'strict') },
    ]);
    const batch = batchOf({}, {}, {});
    const error = await thrownBy(sink.write(batch));
    expect(isRetryable(error)).toBe(false);

    expect(await sink.write([batch[0]!])).toBeUndefined();
    const single = await thrownBy(sink.write([batch[1]!]));
    expect(isRetryable(single)).toBe(false);
    expect((single as Error).message).toBe('route "b": routes.b.sink (strict): value too long for column');
    expect(await sink.write([batch[2]!])).toBeUndefined();

    expect(seqs(a.stored)).toEqual([0, 1, 2]);
    expect(a.writes).toBe(1);
    expect(seqs(b.stored)).toEqual([0, 2]);
    expect(seenSeqs(countA)).toEqual([0, 1, 2]);
    expect(seenSeqs(countB)).toEqual([0, 1, 2]);
  });

  it('throws the retryable failure when routes fail differently, so that the batch is tried again whole first', async () => {
    let aFails = 1;
    let bFails = 1;
    const a = sinkControl({
      beforeWrite: () => {
        if (aFails-- > 0) throw new Error('connection reset');
      },
    });
    const b = sinkControl({
      beforeWrite: () => {
        if (bFails-- > 0) throw invalidRecord('refused');
      },
    });
    const sink = routed([
      { name: 'a', sink: memorySink(a) },
      { name: 'b', sink: memorySink(b) },
    ]);
    const batch = batchOf({}, {});
    expect(isRetryable(await thrownBy(sink.write(batch)))).toBe(true);
    expect(await sink.write(batch)).toBeUndefined();
    expect([seqs(a.stored), seqs(b.stored)]).toEqual([
      [0, 1],
      [0, 1],
    ]);
  });
});

describe('RoutedSink: lifecycle', () => {
  it("starts each route's sink before its transforms, and stops its transforms before its sink", async () => {
    const events: string[] = [];
    const sink = routed([
      { name: 'a', transforms: [scriptedTransform(transformControl({ events }), 'a.t0'), scriptedTransform(transformControl({ events }), 'a.t1')], sink: lifecycleSink('a.sink', events) },
      { name: 'b', sink: lifecycleSink('b.sink', events) },
    ]);
    await sink.start();
    expect(events).toEqual(['a.sink.start', 'a.t0.start', 'a.t1.start', 'b.sink.start']);
    events.length = 0;
    await sink.stop();
    expect([...events].sort()).toEqual(['a.sink.stop', 'a.t0.stop', 'a.t1.stop', 'b.sink.stop']);
    expect(events.indexOf('a.t0.stop')).toBeLessThan(events.indexOf('a.t1.stop'));
    expect(events.indexOf('a.t1.stop')).toBeLessThan(events.indexOf('a.sink.stop'));
  });

  it('started again after a failed start, starts only what did not start yet; stops each once', async () => {
    const events: string[] = [];
    const sink = routed([
      { name: 'a', transforms: [scriptedTransform(transformControl({ events }), 'a.t0')], sink: lifecycleSink('a.sink', events) },
      { name: 'b', sink: lifecycleSink('b.sink', events, { failStarts: 1 }) },
    ]);
    await expect(sink.start()).rejects.toThrow('b.sink cannot start');
    await sink.start();
    expect(events).toEqual(['a.sink.start', 'a.t0.start', 'b.sink.start', 'b.sink.start']);
    events.length = 0;
    await sink.stop();
    await sink.stop();
    expect([...events].sort()).toEqual(['a.sink.stop', 'a.t0.stop', 'b.sink.stop']);
  });

  it('stops only what started when the start failed', async () => {
    const events: string[] = [];
    const sink = routed([
      { name: 'a', sink: lifecycleSink('a.sink', events) },
      { name: 'b', transforms: [scriptedTransform(transformControl({ events }), 'b.t0')], sink: lifecycleSink('b.sink', events, { failStarts: 1 }) },
    ]);
    await expect(sink.start()).rejects.toThrow('b.sink cannot start');
    events.length = 0;
    await sink.stop();
    expect(events).toEqual(['a.sink.stop']);
  });

  it('stops every route even when one fails to stop, then throws its error', async () => {
    const events: string[] = [];
    const sink = routed([
      { name: 'a', sink: lifecycleSink('a.sink', events, { failStop: true }) },
      { name: 'b', transforms: [scriptedTransform(transformControl({ events }), 'b.t0')], sink: lifecycleSink('b.sink', events) },
    ]);
    await sink.start();
    events.length = 0;
    await expect(sink.stop()).rejects.toThrow('a.sink cannot stop');
    expect([...events].sort()).toEqual(['a.sink.stop', 'b.sink.stop', 'b.t0.stop']);
  });

  it('lists every plugin instance of every route with its stage name', () => {
    const sink = routed([
      { name: 'a', transforms: [scriptedTransform(transformControl(), 'x'), scriptedTransform(transformControl(), 'y')], sink: memorySink(sinkControl(), 'store') },
      { name: 'b', sink: memorySink(sinkControl()) },
    ]);
    expect(sink.members().map((m) => [m.stage, m.plugin])).toEqual([
      ['routes.a.transforms[0]', 'x'],
      ['routes.a.transforms[1]', 'y'],
      ['routes.a.sink', 'store'],
      ['routes.b.sink', 'memory'],
    ]);
    const instances = sink.members().map((m) => m.instance);
    expect(new Set(instances).size).toBe(4);
  });
});

describe('RoutedSink: queries', () => {
  const routes: RouteParts[] = [
    { name: 'a', sink: queryableSink('qa', ['speeds', 'shared']) },
    { name: 'b', sink: memorySink(sinkControl()) },
    { name: 'c', sink: queryableSink('qc', ['counts', 'shared']) },
  ];

  it('is queryable when a route sink is: datasets of all of them, each query read from the sink that holds its dataset', async () => {
    const sink = routed(routes);
    expect(sink).toBeInstanceOf(QueryableRoutedSink);
    expect(isQueryable(sink)).toBe(true);
    const queryable = sink as QueryableRoutedSink;
    // Queried before listing: the owner is looked up.
    expect((await queryable.queryTable({ dataset: 'counts' })).rows).toEqual([['qc', 'counts']]);
    expect((await queryable.listDatasets()).map((d) => d.name)).toEqual(['speeds', 'shared', 'counts']);
    expect((await queryable.queryTable({ dataset: 'speeds' })).rows).toEqual([['qa', 'speeds']]);
    // Two routes offering the same dataset: the first one holds it.
    expect((await queryable.queryTable({ dataset: 'shared' })).rows).toEqual([['qa', 'shared']]);
    expect(await queryable.queryTimeSeries({ dataset: 'counts', aggregation: 'count', from: 0, to: 10, intervalMs: 1 })).toEqual([{ name: 'qc:counts', points: [] }]);
    // An unknown dataset is asked of the first queryable sink, which reports it.
    expect((await queryable.queryTable({ dataset: 'nope' })).rows).toEqual([['qa', 'nope']]);
  });

  it('is not queryable when no route sink is', () => {
    const sink = routed([
      { name: 'a', sink: memorySink(sinkControl()) },
      { name: 'b', sink: memorySink(sinkControl()) },
    ]);
    expect(sink).not.toBeInstanceOf(QueryableRoutedSink);
    expect(isQueryable(sink)).toBe(false);
  });
});

describe('RoutedSink: per-key order when a route sink refuses an output retryably', () => {
  it('writes the later outputs of that key again after the refused one, so the newest value stays last', async () => {
    // Every record becomes a running total under one key (as `aggregate` emits): seq 0, 1, 2 → totals 1, 2, 3.
    let total = 0;
    const totals = transformControl();
    totals.process = (record) => ({ ...record, key: 'G', value: { seq: seq(record), total: ++total } });
    let refusals = 1;
    const sink = sinkControl({
      refuse: (record) => (seq(record) === 0 && refusals-- > 0 ? new RecordError('timeout', { retryable: true }) : undefined),
    });
    const routes = routed([{ name: 'totals', transforms: [scriptedTransform(totals, 'totals')], sink: memorySink(sink) }]);
    await routes.start();
    const batch = batchOf({}, {}, {});

    // The first output is refused; the later ones of its key were stored, and are written again after it.
    expect(failures(await routes.write(batch))).toEqual([{ index: 0, message: 'route "totals": routes.totals.sink (memory): timeout', retryable: true }]);
    expect(await routes.write([batch[0]!])).toBeUndefined();
    const values = sink.stored.map((record) => (record.value as { total: number }).total);
    expect(values).toEqual([2, 3, 1, 2, 3]);
    expect(values.at(-1)).toBe(3);
    // The transform saw each record once, and a third write of the records has nothing left to store.
    expect(seenSeqs(totals)).toEqual([0, 1, 2]);
    expect(await routes.write(batch)).toBeUndefined();
    expect(sink.stored).toHaveLength(5);
    await routes.stop();
  });

  it('leaves the other keys and a refusal for good alone', async () => {
    const keyed = transformControl();
    keyed.process = (record) => ({ ...record, key: seq(record) === 1 ? 'other' : 'G' });
    const sink = sinkControl({ refuse: (record) => (seq(record) === 0 ? invalidRecord('bad value') : undefined) });
    const routes = routed([{ name: 'r', transforms: [scriptedTransform(keyed, 'keyed')], sink: memorySink(sink) }]);
    await routes.start();
    const batch = batchOf({}, {}, {});
    expect(failures(await routes.write(batch))).toEqual([{ index: 0, message: 'route "r": routes.r.sink (memory): bad value', retryable: false }]);
    expect(seqs(sink.stored)).toEqual([1, 2]);
    await routes.stop();
  });
});

describe('RoutedSink: flushing the routes\' transforms', () => {
  it('flushes after the routes stored the batch, and refuses the batch (retryably) when a flush fails', async () => {
    const events: string[] = [];
    let failFlush = true;
    const counting = transformControl({ events, flush: () => {
      if (failFlush) {
        failFlush = false;
        throw new Error('disk full');
      }
    } });
    const sink = sinkControl({ beforeWrite: (batch) => void events.push(`write ${batch.length}`) });
    const routes = routed([{ name: 'counts', transforms: [scriptedTransform(counting, 'counting')], sink: memorySink(sink) }]);
    await routes.start();
    const batch = batchOf({}, {});
    const error = await thrownBy(routes.write(batch));
    expect(isRetryable(error)).toBe(true);
    expect((error as Error).message).toBe("flushing the routes' transforms failed: disk full");
    // Written again: nothing left to store or to process, the flush succeeds and the batch is acknowledged.
    expect(await routes.write(batch)).toBeUndefined();
    expect(events).toEqual(['counting.start', 'write 2', 'counting.flush', 'counting.flush']);
    expect(seenSeqs(counting)).toEqual([0, 1]);
    await routes.stop();
  });
});
