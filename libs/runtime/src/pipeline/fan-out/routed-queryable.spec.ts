import { describe, expect, it } from '@jest/globals';
import { defineSink, type Queryable, type Sink } from '@sluice/sdk';
import { memorySink, sinkControl } from '../../testing/memory-plugins.js';
import { routedPipeline } from './routed-pipeline-kit.js';

class NoOptions {}

/** A queryable sink holding `datasets`; its answers name it, so that a test sees which sink answered. */
function queryableSink(name: string, datasets: readonly string[]) {
  return defineSink({
    name,
    version: '1.0.0',
    description: 'test queryable sink',
    config: NoOptions,
    capabilities: { queryable: true },
    create: (): Sink & Queryable => ({
      async write() {},
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

describe('a pipeline with routes: queries', () => {
  it('offers the datasets of every queryable route sink, each query read from the sink that holds its dataset', async () => {
    const { pipeline } = routedPipeline({
      total: 1,
      routes: [
        { name: 'a', sink: queryableSink('qa', ['speeds', 'shared']) },
        { name: 'b', sink: memorySink(sinkControl()) },
        { name: 'c', sink: queryableSink('qc', ['counts', 'shared']) },
      ],
    });
    expect(pipeline.queryable()).toBeNull();
    await pipeline.start();
    const queryable = pipeline.queryable()!;
    // Queried before listing: the owner is looked up.
    expect((await queryable.queryTable({ dataset: 'counts' })).rows).toEqual([['qc', 'counts']]);
    expect((await queryable.listDatasets()).map((d) => d.name)).toEqual(['speeds', 'shared', 'counts']);
    expect((await queryable.queryTable({ dataset: 'speeds' })).rows).toEqual([['qa', 'speeds']]);
    // Two routes offering the same dataset: the first one holds it.
    expect((await queryable.queryTable({ dataset: 'shared' })).rows).toEqual([['qa', 'shared']]);
    expect(await queryable.queryTimeSeries({ dataset: 'counts', aggregation: 'count', from: 0, to: 10, intervalMs: 1 })).toEqual([{ name: 'qc:counts', points: [] }]);
    // An unknown dataset is asked of the first queryable sink, which reports it.
    expect((await queryable.queryTable({ dataset: 'nope' })).rows).toEqual([['qa', 'nope']]);
    await pipeline.stop();
  });

  it('cannot be queried when no route sink can', async () => {
    const { pipeline } = routedPipeline({
      total: 1,
      routes: [
        { name: 'a', sink: memorySink(sinkControl()) },
        { name: 'b', sink: memorySink(sinkControl()) },
      ],
    });
    await pipeline.start();
    expect(pipeline.queryable()).toBeNull();
    await pipeline.stop();
  });
});
