import { describe, expect, it } from '@jest/globals';
import { RecordError, type SluiceRecord } from '@sluice/sdk';
import type { DeadLetterValue } from '../dead-letter-queue.js';
import { memorySink, runToEnd, scriptedTransform, sinkControl, transformControl, waitFor } from '../../testing/memory-plugins.js';
import { committed, fanOutOf, letterOf, letterSeqs, range, routedPipeline, seenSeqs, seq, seqs, stageOf } from './routed-pipeline-kit.js';

describe('a pipeline with routes: one route failing', () => {
  it('retries a failing route sink in its own stage: the other route stores each record once, no route transform sees a record twice', async () => {
    let failures = 2;
    const a = sinkControl();
    const b = sinkControl({
      beforeWrite: () => {
        if (failures-- > 0) throw new Error('connection reset');
      },
    });
    const countA = transformControl();
    const countB = transformControl();
    const { pipeline, dlq, dir } = routedPipeline({
      total: 40,
      routes: [
        { name: 'a', transforms: [scriptedTransform(countA, 'count-a')], sink: memorySink(a) },
        { name: 'b', transforms: [scriptedTransform(countB, 'count-b')], sink: memorySink(b) },
      ],
    });
    await runToEnd(pipeline);
    expect(seqs(a.stored)).toEqual(range(40));
    expect(seqs(b.stored)).toEqual(range(40));
    expect(seenSeqs(countA.seen)).toEqual(range(40));
    expect(seenSeqs(countB.seen)).toEqual(range(40));
    expect(dlq.stored).toEqual([]);
    expect(stageOf(pipeline, 'routes.b.sink').counters.retried).toBeGreaterThan(0);
    expect(stageOf(pipeline, 'routes.b.sink').lastError?.message).toBe('connection reset');
    expect(stageOf(pipeline, 'routes.a.sink').counters.retried).toBe(0);
    expect(fanOutOf(pipeline).counters).toMatchObject({ in: 40, acked: 40, retried: 0 });
    expect(committed(dir)).toEqual({ seq: 39 });
  });

  it('dead-letters, after the retry policy, what a route sink or a route transform keeps failing retryably, at that stage', async () => {
    const a = sinkControl({ refuse: (record) => (seq(record) === 5 ? new RecordError('row locked', { retryable: true }) : undefined) });
    const b = sinkControl();
    const lookup = transformControl({
      process: (record) => {
        if (seq(record) === 8) throw new Error('lookup failed');
        return record;
      },
    });
    const { pipeline, dlq, dir } = routedPipeline({
      total: 30,
      routes: [
        { name: 'a', sink: memorySink(a) },
        { name: 'b', transforms: [scriptedTransform(lookup, 'lookup')], sink: memorySink(b) },
      ],
      maxAttempts: 3,
    });
    await runToEnd(pipeline);
    expect(letterOf(dlq, 5)).toMatchObject({ stage: 'routes.a.sink', plugin: 'memory', error: 'row locked', attempts: 3, retryable: true });
    expect(letterOf(dlq, 8)).toMatchObject({ stage: 'routes.b.transforms[0]', plugin: 'lookup', error: 'lookup failed', attempts: 3, retryable: true });
    expect(dlq.stored).toHaveLength(2);
    expect(seqs(a.stored)).toEqual(range(30, (i) => i !== 5));
    expect(seqs(b.stored)).toEqual(range(30, (i) => i !== 8));
    // The transform retried only the record that failed in it.
    const seen = lookup.seen.map((v) => (v as { seq: number }).seq);
    expect(seen.filter((n) => n === 8)).toHaveLength(3);
    expect(seen.filter((n) => n !== 8).sort((x, y) => x - y)).toEqual(range(30, (i) => i !== 8));
    expect(committed(dir)).toEqual({ seq: 29 });
  });

  it("bounds each route sink's writes by its own writeTimeoutMs: a hung route turns degraded while the other route's stages keep counting", async () => {
    let hung = true;
    const a = sinkControl({
      // A write that never answers while `hung` (and is abandoned at its deadline): an outage.
      beforeWrite: () => (hung ? new Promise<void>(() => undefined) : undefined),
    });
    const b = sinkControl();
    const { pipeline, dlq } = routedPipeline({
      routes: [
        { name: 'a', sink: memorySink(a, 'hangs'), sinkTimeouts: { writeMs: 20 } },
        { name: 'b', transforms: [scriptedTransform(transformControl(), 'pass')], sink: memorySink(b) },
      ],
    });
    await pipeline.start();
    await waitFor(() => stageOf(pipeline, 'routes.a.sink').state === 'degraded' && b.stored.length === 60);

    expect(pipeline.state).toBe('degraded');
    expect(stageOf(pipeline, 'routes.a.sink').lastError?.message).toMatch(/timed out after 20 ms/);
    expect(stageOf(pipeline, 'routes.b.transforms[0]')).toMatchObject({ state: 'running', counters: expect.objectContaining({ in: 60, acked: 60 }) });
    expect(stageOf(pipeline, 'routes.b.sink')).toMatchObject({ state: 'running', counters: expect.objectContaining({ in: 60, acked: 60 }) });
    expect(fanOutOf(pipeline).fanOut.routed).toEqual({ a: 0, b: 60 });
    // Nothing is acknowledged upstream while a route holds its share: nothing is committed either.
    expect(fanOutOf(pipeline).counters.acked).toBe(0);

    hung = false;
    await pipeline.sourceFinished();
    expect(seqs(a.stored)).toEqual(range(60));
    expect(seqs(b.stored)).toEqual(range(60));
    expect(stageOf(pipeline, 'routes.a.sink').state).toBe('running');
    expect(fanOutOf(pipeline).counters.acked).toBe(60);
    // The source read everything: no stage degraded any more.
    expect(pipeline.state).toBe('finished');
    expect(dlq.stored).toEqual([]);
    await pipeline.stop();
  });

  it('hands a refused batch again only where it was refused: the other route stores each record once, no letter is written twice', async () => {
    // One batch of 10. Route b dead-letters seq 3, and the dead-letter destination fails on that
    // letter meanwhile: route b refuses its share (its records are kept upstream), the fan-out
    // refuses the batch, and the source hands it on again. Seq 9 no route takes: its letter was
    // stored the first time.
    let failures = 3;
    const a = sinkControl();
    const b = sinkControl({ refuse: (record) => (seq(record) === 3 ? new RecordError('bad row', { retryable: false }) : undefined) });
    const countA = transformControl();
    const { pipeline, dlq, dir } = routedPipeline({
      total: 10,
      source: { batchSize: 10 },
      routes: [
        { name: 'a', when: 'seq != 9', transforms: [scriptedTransform(countA, 'count-a')], sink: memorySink(a) },
        { name: 'b', when: 'seq != 9', sink: memorySink(b) },
      ],
    });
    dlq.beforeWrite = (batch) => {
      const aboutSeq3 = batch.some((record) => ((record.value as DeadLetterValue).record.value as { seq: number }).seq === 3);
      if (aboutSeq3 && failures-- > 0) throw new Error('dead-letter store down');
    };
    await runToEnd(pipeline);

    expect(seqs(a.stored)).toEqual(range(9));
    expect(seenSeqs(countA.seen)).toEqual(range(9));
    // Route b itself stores the rest of its refused share again (at least once); it loses none.
    expect([...new Set(seqs(b.stored))]).toEqual(range(9, (i) => i !== 3));
    expect(letterSeqs(dlq)).toEqual([3, 9]);
    expect(letterOf(dlq, 3)).toMatchObject({ stage: 'routes.b.sink', error: 'bad row' });
    expect(letterOf(dlq, 9)).toMatchObject({ stage: 'routes', error: 'matched no route (routes: a, b)' });
    expect(fanOutOf(pipeline).fanOut).toEqual({ routed: { a: 9, b: 9 }, unrouted: 1 });
    expect(fanOutOf(pipeline).counters).toMatchObject({ deadLettered: 1, acked: 10 });
    expect(committed(dir)).toEqual({ seq: 9 });
  });

  it('keeps a key’s newest value last in a route sink that refused an older one retryably', async () => {
    // Every record becomes a running total under one key (as `aggregate` emits).
    let total = 0;
    const totals = transformControl();
    totals.process = (record: SluiceRecord) => ({ ...record, key: 'G', value: { seq: seq(record), total: ++total } });
    let refusals = 1;
    const sink = sinkControl({ refuse: (record) => (seq(record) === 0 && refusals-- > 0 ? new RecordError('timeout', { retryable: true }) : undefined) });
    const { pipeline } = routedPipeline({ total: 3, routes: [{ name: 'totals', transforms: [scriptedTransform(totals, 'totals')], sink: memorySink(sink) }] });
    await runToEnd(pipeline);
    const values = sink.stored.map((record) => (record.value as { total: number }).total);
    expect(values.at(-1)).toBe(3);
    expect(new Set(values)).toEqual(new Set([1, 2, 3]));
    // The stateful transform saw each record once.
    expect(seenSeqs(totals.seen)).toEqual([0, 1, 2]);
  });

  it("flushes a route transform's state only after the route sink stored the batch", async () => {
    const events: string[] = [];
    const counting = transformControl({ events });
    const sink = sinkControl({ beforeWrite: (batch) => void events.push(`write ${batch.length}`) });
    const { pipeline } = routedPipeline({ total: 2, routes: [{ name: 'counts', transforms: [scriptedTransform(counting, 'counting')], sink: memorySink(sink) }] });
    await runToEnd(pipeline);
    expect(events).toEqual(['counting.start', 'write 2', 'counting.flush', 'counting.stop']);
  });
});
