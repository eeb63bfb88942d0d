import { describe, expect, it } from '@jest/globals';
import { invalidRecord, JsonataExpression, RECORD_VARIABLES, type PluginDefinition } from '@sluice/sdk';
import { memorySink, pickyTransform, runToEnd, scriptedTransform, sinkControl, transformControl, type ScriptedTransformControl } from '../../testing/memory-plugins.js';
import { committed, fanOutOf, plannedAsKafka, letterOf, letters, letterSeqs, range, routedPipeline, seenSeqs, seq, seqs, stageOf } from './routed-pipeline-kit.js';

/** `definition`, with every instance it creates pushed to `into`. */
function capturing<D extends PluginDefinition>(definition: D, into: object[]): D {
  const create = (config: object, context: never) => {
    const instance = (definition.create as (config: object, context: never) => object)(config, context);
    into.push(instance);
    return instance;
  };
  return { ...definition, create } as D;
}

/** A transform returning each record once per part, `{ ...value, part }`. */
function exploding(control: ScriptedTransformControl, parts: number) {
  control.process = (record) => Array.from({ length: parts }, (_, p) => ({ ...record, value: { ...(record.value as object), part: p + 1 } }));
  return scriptedTransform(control, 'explode');
}

describe('a pipeline with routes: the fan-out', () => {
  it('stores each record in every route that takes it, through the route’s own transforms, dead-letters the unrouted ones, and commits', async () => {
    const even = sinkControl();
    const tens = sinkControl();
    const late = sinkControl();
    const { pipeline, dlq, dir } = routedPipeline({
      routes: [
        { name: 'even', when: 'seq % 2 = 0', transforms: [pickyTransform({})], sink: memorySink(even) },
        { name: 'tens', when: 'seq % 10 = 0', transforms: [pickyTransform({ poison: new Set([20]) })], sink: memorySink(tens, 'tens-store') },
        { name: 'late', when: 'seq >= 50', sink: memorySink(late) },
      ],
    });
    await runToEnd(pipeline);

    expect(seqs(even.stored)).toEqual(range(60, (i) => i % 2 === 0));
    expect(even.stored.every((r) => (r.value as { doubled: number }).doubled === seq(r) * 2)).toBe(true);
    expect(seqs(tens.stored)).toEqual([0, 10, 30, 40, 50]);
    expect(seqs(late.stored)).toEqual(range(60, (i) => i >= 50));
    // The `late` route has no transforms: its records are stored as read.
    expect(late.stored.every((r) => !('doubled' in (r.value as object)))).toBe(true);

    const unrouted = range(50, (i) => i % 2 === 1);
    expect(letterSeqs(dlq)).toEqual([...unrouted, 20].sort((a, b) => a - b));
    expect(letterOf(dlq, 1)).toMatchObject({ stage: 'routes', plugin: 'fan-out', error: 'matched no route (routes: even, tens, late)', retryable: false, attempts: 1 });
    // A route stage dead-letters what fails in it, as any stage does, under its own name.
    expect(letterOf(dlq, 20)).toMatchObject({ stage: 'routes.tens.transforms[0]', plugin: 'picky', error: 'seq 20 is poison', retryable: false, attempts: 1 });
    expect(committed(dir)).toEqual({ seq: 59 });
  });

  it('counts per stage: the fan-out what it routed per route and what no route took, each route stage its own records', async () => {
    const { pipeline } = routedPipeline({
      routes: [
        { name: 'even', when: 'seq % 2 = 0', transforms: [pickyTransform({})], sink: memorySink(sinkControl()) },
        { name: 'tens', when: 'seq % 10 = 0', transforms: [pickyTransform({ poison: new Set([20]) })], sink: memorySink(sinkControl(), 'tens-store') },
      ],
    });
    await runToEnd(pipeline);

    const fanOut = fanOutOf(pipeline);
    expect(fanOut).toMatchObject({ stage: 'routes', plugin: 'fan-out', kind: 'fan-out', state: 'stopped' });
    expect(fanOut.counters).toMatchObject({ in: 60, out: 36, acked: 60, deadLettered: 30, dropped: 0 });
    expect(fanOut.fanOut).toEqual({ routed: { even: 30, tens: 6 }, unrouted: 30 });
    expect(stageOf(pipeline, 'routes.even.transforms[0]')).toMatchObject({ plugin: 'picky', kind: 'transform', counters: expect.objectContaining({ in: 30, out: 30, acked: 30 }) });
    expect(stageOf(pipeline, 'routes.even.sink').counters).toMatchObject({ in: 30, out: 30, acked: 30 });
    expect(stageOf(pipeline, 'routes.tens.transforms[0]').counters).toMatchObject({ in: 6, out: 5, deadLettered: 1 });
    expect(stageOf(pipeline, 'routes.tens.sink')).toMatchObject({ plugin: 'tens-store', kind: 'sink', counters: expect.objectContaining({ in: 5, acked: 5 }) });
    // No `sink` stage: the fan-out ends the main chain.
    expect(pipeline.status().stages.map((s) => s.stage)).not.toContain('sink');
  });

  it('drops and counts the records no route takes with unrouted: drop', async () => {
    const even = sinkControl();
    const { pipeline, dlq, dir } = routedPipeline({ total: 30, routes: [{ name: 'even', when: 'seq % 2 = 0', sink: memorySink(even) }], unrouted: 'drop' });
    await runToEnd(pipeline);
    expect(seqs(even.stored)).toEqual(range(30, (i) => i % 2 === 0));
    expect(dlq.stored).toEqual([]);
    expect(committed(dir)).toEqual({ seq: 29 });
    expect(fanOutOf(pipeline).counters).toMatchObject({ in: 30, acked: 30, dropped: 15, deadLettered: 0 });
    expect(fanOutOf(pipeline).fanOut).toEqual({ routed: { even: 15 }, unrouted: 15 });
  });

  it('binds the record envelope in conditions, also those only the jsonata package evaluates', async () => {
    const byKey = sinkControl();
    const late = sinkControl();
    const lambda = '$count($filter([seq], function($s) { $s >= 25 })) > 0';
    // The second condition exercises the asynchronous evaluation path.
    expect(JsonataExpression.compile(lambda, RECORD_VARIABLES).accelerated).toBe(false);
    const { pipeline } = routedPipeline({
      total: 30,
      routes: [
        { name: 'by-key', when: '$key = "k1"', sink: memorySink(byKey) },
        { name: 'late', when: lambda, sink: memorySink(late) },
      ],
      unrouted: 'drop',
    });
    await runToEnd(pipeline);
    expect(seqs(byKey.stored)).toEqual(range(30, (i) => i % 7 === 1));
    expect(seqs(late.stored)).toEqual(range(30, (i) => i >= 25));
  });

  it('dead-letters a record whose condition cannot be evaluated, naming the route; the other routes still take it', async () => {
    const a = sinkControl();
    const b = sinkControl();
    const { pipeline, dlq } = routedPipeline({
      total: 10,
      routes: [
        // `seq & "x"` is text for seq 3 only: `>` cannot compare it with a number.
        { name: 'a', when: '(seq = 3 ? seq & "x" : seq) > 5', sink: memorySink(a) },
        { name: 'b', sink: memorySink(b) },
      ],
    });
    await runToEnd(pipeline);
    expect(seqs(a.stored)).toEqual([6, 7, 8, 9]);
    expect(seqs(b.stored)).toEqual(range(10));
    expect(letters(dlq)).toHaveLength(1);
    expect(letterOf(dlq, 3)).toMatchObject({ stage: 'routes', plugin: 'fan-out', retryable: false, attempts: 1 });
    expect(letterOf(dlq, 3)!.error).toMatch(/^route "a": condition \(when\) failed: /);
    // Taken by route b: not unrouted.
    expect(fanOutOf(pipeline).fanOut).toEqual({ routed: { a: 4, b: 10 }, unrouted: 0 });
    expect(fanOutOf(pipeline).counters.deadLettered).toBe(1);
  });

  it("runs each route's transforms in order: a record exploded into several, each through the next transform; another route is untouched", async () => {
    const split = sinkControl();
    const plain = sinkControl();
    const tag = transformControl({ process: (record) => ({ ...record, value: { ...(record.value as object), tagged: true } }) });
    const { pipeline } = routedPipeline({
      total: 2,
      routes: [
        { name: 'split', transforms: [exploding(transformControl(), 2), scriptedTransform(tag, 'tag')], sink: memorySink(split) },
        { name: 'plain', sink: memorySink(plain) },
      ],
    });
    await runToEnd(pipeline);
    expect(split.stored.map((r) => r.value)).toEqual([
      { seq: 0, part: 1, tagged: true },
      { seq: 0, part: 2, tagged: true },
      { seq: 1, part: 1, tagged: true },
      { seq: 1, part: 2, tagged: true },
    ]);
    expect(split.stored[2]!.key).toBe('k1');
    expect(tag.seen).toHaveLength(4);
    expect(plain.stored.map((r) => r.value)).toEqual([{ seq: 0 }, { seq: 1 }]);
  });

  it('acknowledges a record that a route takes and its transforms filter out, without writing to its sink', async () => {
    const odd = sinkControl();
    const filter = transformControl({ process: (record) => (seq(record) % 2 === 1 ? record : seq(record) === 0 ? null : []) });
    const { pipeline, dir } = routedPipeline({ total: 20, routes: [{ name: 'odd', transforms: [scriptedTransform(filter, 'filter')], sink: memorySink(odd) }] });
    await runToEnd(pipeline);
    expect(seqs(odd.stored)).toEqual(range(20, (i) => i % 2 === 1));
    expect(seenSeqs(filter.seen)).toEqual(range(20));
    expect(stageOf(pipeline, 'routes.odd.transforms[0]').counters).toMatchObject({ in: 20, out: 10, dropped: 10, acked: 20 });
    expect(committed(dir)).toEqual({ seq: 19 });
  });

  it('reaches every route stage by name, for jobs and health', async () => {
    const tensSinks: object[] = [];
    const { pipeline } = routedPipeline({
      routes: [
        { name: 'even', when: 'seq % 2 = 0', transforms: [pickyTransform({})], sink: memorySink(sinkControl()) },
        { name: 'tens', when: 'seq % 10 = 0', sink: capturing(memorySink(sinkControl(), 'tens-store'), tensSinks) },
      ],
    });
    await pipeline.start();
    await pipeline.sourceFinished();
    expect(tensSinks).toHaveLength(1);
    expect(pipeline.stageInstance('routes.tens.sink')).toBe(tensSinks[0]);
    expect(pipeline.stageInstance('routes.even.transforms[0]')).toBeDefined();
    expect(pipeline.stageInstance('routes.even.transforms[1]')).toBeUndefined();
    expect(pipeline.stageInstance('sink')).toBeUndefined();
    expect([...pipeline.stageNames()].sort()).toEqual(['deadLetter', 'routes.even.sink', 'routes.even.transforms[0]', 'routes.tens.sink', 'source']);
    expect(pipeline.ready).toBe(true);
    const health = await pipeline.health();
    expect(health.map((h) => [h.stage, h.plugin, h.report.status]).sort()).toEqual([
      ['deadLetter', 'dlq', 'up'],
      ['routes.even.sink', 'memory', 'up'],
      ['routes.even.transforms[0]', 'picky', 'up'],
      ['routes.tens.sink', 'tens-store', 'up'],
      ['source', 'counting', 'up'],
    ]);
    await pipeline.stop();
  });

  it('hands each route the records of a key in the order they were read', async () => {
    const a = sinkControl();
    const b = sinkControl();
    const slow = transformControl({ process: async (record) => (await new Promise((r) => setTimeout(r, seq(record) % 3)), record) });
    const { pipeline } = routedPipeline({
      total: 140,
      maxRecords: 5,
      routes: [
        { name: 'a', transforms: [scriptedTransform(slow, 'slow')], sink: memorySink(a) },
        // Its condition needs the jsonata package (evaluated asynchronously): batches still come in order.
        { name: 'b', when: '$count($filter([seq], function($s) { $s % 2 = 0 })) > 0', sink: memorySink(b) },
      ],
      unrouted: 'drop',
    });
    await runToEnd(pipeline);
    const inOrder = (stored: typeof a.stored) => stored.map(seq).every((n, i, all) => i === 0 || all[i - 1] < n);
    expect(a.stored).toHaveLength(140);
    expect(inOrder(a.stored)).toBe(true);
    expect(b.stored).toHaveLength(70);
    expect(inOrder(b.stored)).toBe(true);
  });

  it('dead-letters a record that a route sink refuses for good at that sink; the other route stores every record once', async () => {
    const a = sinkControl();
    const b = sinkControl({
      beforeWrite: (batch) => {
        if (batch.some((r) => seq(r) === 13)) throw invalidRecord('value too long for column');
      },
    });
    const { pipeline, dlq } = routedPipeline({
      total: 30,
      routes: [
        { name: 'a', sink: memorySink(a) },
        { name: 'b', sink: memorySink(b, 'strict') },
      ],
    });
    await runToEnd(pipeline);
    expect(seqs(a.stored)).toEqual(range(30));
    expect(seqs(b.stored)).toEqual(range(30, (i) => i !== 13));
    expect(letters(dlq)).toEqual([expect.objectContaining({ stage: 'routes.b.sink', plugin: 'strict', error: 'value too long for column', retryable: false })]);
    expect(fanOutOf(pipeline).counters).toMatchObject({ in: 30, acked: 30, deadLettered: 0 });
    expect(stageOf(pipeline, 'routes.b.sink').counters).toMatchObject({ deadLettered: 1, acked: 29 });
  });

  it('consumes the channel before it where the topology has one (Kafka), and stops consuming when stopped', async () => {
    const a = sinkControl();
    const b = sinkControl();
    const { transport, embedded } = plannedAsKafka();
    const { pipeline, dir } = routedPipeline({
      transport,
      transforms: [pickyTransform({})],
      routes: [
        { name: 'a', when: 'seq < 30', sink: memorySink(a) },
        { name: 'b', transforms: [pickyTransform({})], sink: memorySink(b) },
      ],
    });
    await pipeline.start();
    expect(pipeline.status().channels.map((c) => [c.name, c.to, c.reason])).toEqual([
      ['test.stage-1', 'transforms[0]', 'scale-out'],
      ['test.stage-2', 'routes', 'fan-out'],
    ]);
    expect(embedded.status().details).toMatchObject({ channels: 2, consumers: 2 });
    await pipeline.sourceFinished();
    await pipeline.stop();
    expect(embedded.status().details).toMatchObject({ consumers: 0 });
    expect(seqs(a.stored)).toEqual(range(30));
    expect(seqs(b.stored)).toEqual(range(60));
    expect(fanOutOf(pipeline).counters).toMatchObject({ in: 60, acked: 60 });
    expect(committed(dir)).toEqual({ seq: 59 });
  });
});
