import { describe, expect, it } from '@jest/globals';
import { defineTransform, type KeyedStateTransform, type SluiceRecord } from '@sluice/sdk';
import { memorySink, runToEnd, sinkControl } from '../../testing/memory-plugins.js';
import { plannedAsKafka, routedPipeline, seq } from '../fan-out/routed-pipeline-kit.js';

class NoConfig {}

/** Counts records per `seq % 3` (three state keys); every instance it creates is pushed to `instances`. */
function countByRest(instances: object[]) {
  return defineTransform({
    name: 'count-by-rest',
    version: '1.0.0',
    description: 'test: counts per seq % 3',
    config: NoConfig,
    capabilities: { keyedState: true },
    create: (): KeyedStateTransform => {
      const counts = new Map<string, number>();
      const count = (record: SluiceRecord, key: string): SluiceRecord => {
        counts.set(key, (counts.get(key) ?? 0) + 1);
        return { ...record, key, value: { rest: key, count: counts.get(key) } };
      };
      const instance: KeyedStateTransform = {
        stateKeys: (record) => [String(seq(record) % 3)],
        processShare: (record, share) => count(record, share.key),
        process: (record) => count(record, String(seq(record) % 3)),
        snapshotState: () => Object.fromEntries(counts),
        restoreState: (state) => Object.entries(state as Record<string, number>).forEach(([k, v]) => counts.set(k, v)),
      };
      instances.push(instance);
      return instance;
    },
  });
}

/** The last value stored per key: what an upserting sink holds. */
const latest = (stored: readonly SluiceRecord[]) => Object.fromEntries(stored.map((r) => [r.key, r.value]));

describe('a keyed-state transform inside a route', () => {
  const expected = { '0': { rest: '0', count: 20 }, '1': { rest: '1', count: 20 }, '2': { rest: '2', count: 20 } };

  it('on one host (embedded): runs in-line, one instance', async () => {
    const sink = sinkControl();
    const instances: object[] = [];
    const { pipeline } = routedPipeline({ routes: [{ name: 'counts', transforms: [countByRest(instances)], sink: memorySink(sink) }] });
    await runToEnd(pipeline);
    expect(latest(sink.stored)).toEqual(expected);
    expect(pipeline.status().channels.map((c) => c.reason)).toEqual([]);
    expect(instances).toHaveLength(1);
  });

  it('on Kafka: behind its repartition channel, an instance per partition (and a keyer), with the same result', async () => {
    const sink = sinkControl();
    const instances: object[] = [];
    const { pipeline } = routedPipeline({ transport: plannedAsKafka().transport, routes: [{ name: 'counts', transforms: [countByRest(instances)], sink: memorySink(sink) }] });
    await runToEnd(pipeline);
    expect(latest(sink.stored)).toEqual(expected);
    expect(pipeline.status().channels.map((c) => [c.name, c.reason])).toEqual([
      ['test.stage-1', 'scale-out'],
      ['test.routes.counts.transforms-0', 'keyed-state'],
    ]);
    // The embedded channel has one partition: its instance, and the keyer the fan-out shares records with.
    expect(instances).toHaveLength(2);
  });
});
