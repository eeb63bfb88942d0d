import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { invalidRecord, RecordError, type PluginDefinition, type SluiceRecord } from '@sluice/sdk';
import { createEmbeddedTransport } from '#transports';
import type { DeadLetterValue } from './dead-letter-queue.js';
import { Pipeline } from './pipeline.js';
import {
  countingSource,
  environment,
  memorySink,
  pickyTransform,
  pipelineConfig,
  runToEnd,
  scriptedTransform,
  sinkControl,
  transformControl,
  type CountingSourceControl,
  type MemorySinkControl,
} from '../testing/memory-plugins.js';

const seq = (record: SluiceRecord) => (record.value as { seq: number }).seq;
const seqs = (records: readonly SluiceRecord[]) => records.map(seq).sort((a, b) => a - b);
const range = (n: number, keep: (i: number) => boolean = () => true) => Array.from({ length: n }, (_, i) => i).filter(keep);
const sourceControl = (over: Partial<CountingSourceControl> = {}): CountingSourceControl => ({ total: 60, batchSize: 7, readCount: 0, starts: [], commits: [], ...over });
const tempDir = () => mkdtempSync(join(tmpdir(), 'sluice-routes-'));
const letters = (dlq: MemorySinkControl) => dlq.stored.map((r) => r.value as DeadLetterValue);
const letterOf = (dlq: MemorySinkControl, n: number) => letters(dlq).find((l) => (l.record.value as { seq: number }).seq === n);
const committed = (dir: string) => JSON.parse(readFileSync(join(dir, 'state', 'test.checkpoint.json'), 'utf8')).positions;

/** `definition`, with every instance it creates pushed to `into`. */
function capturing<D extends PluginDefinition>(definition: D, into: object[]): D {
  const create = (config: object, context: never) => {
    const instance = (definition.create as (config: object, context: never) => object)(config, context);
    into.push(instance);
    return instance;
  };
  return { ...definition, create } as D;
}


describe('Pipeline with routes on the embedded transport', () => {
  it('stores each record in every route that takes it, dead-letters the failures naming the route, and commits', async () => {
    const even = sinkControl();
    const tens = sinkControl();
    const late = sinkControl();
    const dlq = sinkControl();
    const dir = tempDir();
    const tensSinks: object[] = [];
    const pipeline = new Pipeline(
      pipelineConfig({
        source: countingSource(sourceControl()),
        routes: [
          { name: 'even', when: 'seq % 2 = 0', transforms: [pickyTransform({})], sink: memorySink(even) },
          { name: 'tens', when: 'seq % 10 = 0', transforms: [pickyTransform({ poison: new Set([20]) })], sink: capturing(memorySink(tens, 'tens-store'), tensSinks) },
          { name: 'late', when: 'seq >= 50', sink: memorySink(late) },
        ],
        deadLetter: memorySink(dlq, 'dlq'),
      }),
      environment(createEmbeddedTransport().transport, dir),
    );
    await pipeline.start();
    await pipeline.sourceFinished();

    expect(seqs(even.stored)).toEqual(range(60, (i) => i % 2 === 0));
    expect(even.stored.every((r) => (r.value as { doubled: number }).doubled === seq(r) * 2)).toBe(true);
    expect(seqs(tens.stored)).toEqual([0, 10, 30, 40, 50]);
    expect(seqs(late.stored)).toEqual(range(60, (i) => i >= 50));
    // The `late` route has no transforms: its records are stored as read.
    expect(late.stored.every((r) => !('doubled' in (r.value as object)))).toBe(true);

    const unrouted = range(50, (i) => i % 2 === 1);
    expect(letters(dlq).map((l) => (l.record.value as { seq: number }).seq).sort((a, b) => a - b)).toEqual([...unrouted, 20].sort((a, b) => a - b));
    expect(letterOf(dlq, 1)).toMatchObject({ stage: 'sink', plugin: 'routes', error: 'matched no route (routes: even, tens, late)', retryable: false, attempts: 1 });
    expect(letterOf(dlq, 20)).toMatchObject({ stage: 'sink', plugin: 'routes', error: 'route "tens": routes.tens.transforms[0] (picky): seq 20 is poison', retryable: false, attempts: 1 });

    const sinkStage = pipeline.status().stages.find((s) => s.stage === 'sink');
    expect(sinkStage?.counters).toMatchObject({ in: 60, deadLettered: unrouted.length + 1, acked: 60 - unrouted.length - 1 });

    // The route stages are reachable by name, and report their health.
    expect(tensSinks).toHaveLength(1);
    expect(pipeline.stageInstance('routes.tens.sink')).toBe(tensSinks[0]);
    expect(pipeline.stageInstance('routes.even.transforms[0]')).toBeDefined();
    expect(pipeline.stageInstance('routes.even.transforms[1]')).toBeUndefined();
    expect(pipeline.stageNames()).toEqual(
      expect.arrayContaining(['sink', 'routes.even.transforms[0]', 'routes.even.sink', 'routes.tens.transforms[0]', 'routes.tens.sink', 'routes.late.sink']),
    );
    const health = await pipeline.health();
    for (const stage of ['routes.even.transforms[0]', 'routes.even.sink', 'routes.tens.sink', 'routes.late.sink']) {
      expect(health.find((h) => h.stage === stage)?.report.status).toBe('up');
    }
    expect(health.find((h) => h.stage === 'routes.tens.sink')?.plugin).toBe('tens-store');
    expect(pipeline.queryable()).toBeNull();

    await pipeline.stop();
    expect(committed(dir)).toEqual({ seq: 59 });
  });

  it('acknowledges the records no route takes with unrouted: drop', async () => {
    const even = sinkControl();
    const dlq = sinkControl();
    const dir = tempDir();
    const pipeline = new Pipeline(
      pipelineConfig({
        source: countingSource(sourceControl({ total: 30 })),
        routes: [{ name: 'even', when: 'seq % 2 = 0', sink: memorySink(even) }],
        unrouted: 'drop',
        deadLetter: memorySink(dlq, 'dlq'),
      }),
      environment(createEmbeddedTransport().transport, dir),
    );
    await runToEnd(pipeline);
    expect(seqs(even.stored)).toEqual(range(30, (i) => i % 2 === 0));
    expect(dlq.stored).toEqual([]);
    expect(committed(dir)).toEqual({ seq: 29 });
    expect(pipeline.status().stages.find((s) => s.stage === 'sink')?.counters).toMatchObject({ in: 30, acked: 30, deadLettered: 0 });
  });

  it('retries a failing route sink without storing twice in the other route, and no route transform sees a record twice', async () => {
    let failures = 2;
    const a = sinkControl();
    const b = sinkControl({
      beforeWrite: () => {
        if (failures-- > 0) throw new Error('connection reset');
      },
    });
    const countA = transformControl();
    const countB = transformControl();
    const dlq = sinkControl();
    const dir = tempDir();
    const pipeline = new Pipeline(
      pipelineConfig({
        source: countingSource(sourceControl({ total: 40 })),
        routes: [
          { name: 'a', transforms: [scriptedTransform(countA, 'count-a')], sink: memorySink(a) },
          { name: 'b', transforms: [scriptedTransform(countB, 'count-b')], sink: memorySink(b) },
        ],
        deadLetter: memorySink(dlq, 'dlq'),
      }),
      environment(createEmbeddedTransport().transport, dir),
    );
    await runToEnd(pipeline);
    // Sorted lists equal to 0..39: each record exactly once.
    expect(seqs(a.stored)).toEqual(range(40));
    expect(seqs(b.stored)).toEqual(range(40));
    expect(countA.seen.map((v) => (v as { seq: number }).seq).sort((x, y) => x - y)).toEqual(range(40));
    expect(countB.seen.map((v) => (v as { seq: number }).seq).sort((x, y) => x - y)).toEqual(range(40));
    expect(dlq.stored).toEqual([]);
    expect(pipeline.status().stages.find((s) => s.stage === 'sink')?.counters.retried).toBeGreaterThan(0);
    expect(committed(dir)).toEqual({ seq: 39 });
  });

  it('isolates a record a route sink refuses (not retryable) and dead-letters it naming the route; the other route stores everything once', async () => {
    const a = sinkControl();
    const b = sinkControl({
      beforeWrite: (batch) => {
        if (batch.some((r) => seq(r) === 13)) throw invalidRecord('value too long for column');
      },
    });
    const dlq = sinkControl();
    await runToEnd(
      new Pipeline(
        pipelineConfig({
          source: countingSource(sourceControl({ total: 30 })),
          routes: [
            { name: 'a', sink: memorySink(a) },
            { name: 'b', sink: memorySink(b, 'strict') },
          ],
          deadLetter: memorySink(dlq, 'dlq'),
        }),
        environment(createEmbeddedTransport().transport, tempDir()),
      ),
    );
    expect(seqs(a.stored)).toEqual(range(30));
    expect(seqs(b.stored)).toEqual(range(30, (i) => i !== 13));
    expect(letters(dlq)).toEqual([expect.objectContaining({ stage: 'sink', plugin: 'routes', error: 'route "b": routes.b.sink (strict): value too long for column', retryable: false })]);
  });

  it('dead-letters after the retry policy a record that a route sink or a route transform keeps failing retryably', async () => {
    const a = sinkControl({ refuse: (record) => (seq(record) === 5 ? new RecordError('row locked', { retryable: true }) : undefined) });
    const b = sinkControl();
    const lookup = transformControl({
      process: (record) => {
        if (seq(record) === 8) throw new Error('lookup failed');
        return record;
      },
    });
    const dlq = sinkControl();
    const dir = tempDir();
    const pipeline = new Pipeline(
      pipelineConfig({
        source: countingSource(sourceControl({ total: 30 })),
        routes: [
          { name: 'a', sink: memorySink(a) },
          { name: 'b', transforms: [scriptedTransform(lookup, 'lookup')], sink: memorySink(b) },
        ],
        deadLetter: memorySink(dlq, 'dlq'),
        maxAttempts: 3,
      }),
      environment(createEmbeddedTransport().transport, dir),
    );
    await runToEnd(pipeline);
    expect(letterOf(dlq, 5)).toMatchObject({ stage: 'sink', error: 'route "a": routes.a.sink (memory): row locked', attempts: 3, retryable: true });
    expect(letterOf(dlq, 8)).toMatchObject({ stage: 'sink', error: 'route "b": routes.b.transforms[0] (lookup): lookup failed', attempts: 3, retryable: true });
    expect(dlq.stored).toHaveLength(2);
    // Each route stored what did not fail in it, once.
    expect(seqs(a.stored)).toEqual(range(30, (i) => i !== 5));
    expect(seqs(b.stored)).toEqual(range(30, (i) => i !== 8));
    const seen = lookup.seen.map((v) => (v as { seq: number }).seq);
    expect(seen.filter((n) => n === 8)).toHaveLength(3);
    expect(seen.filter((n) => n !== 8).sort((x, y) => x - y)).toEqual(range(30, (i) => i !== 8));
    expect(committed(dir)).toEqual({ seq: 29 });
  });
});
