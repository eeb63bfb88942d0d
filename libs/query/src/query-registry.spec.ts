import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger, NotFoundException } from '@nestjs/common';
import type { DatasetDescription, Queryable } from '@sluice/sdk';
import type { NamedQueryConfig, SluiceRuntime } from '#runtime';
import { QueryUnavailableError } from './query-errors.js';
import type { QueryModuleOptions } from './query-options.js';
import { QueryRegistry } from './query-registry.js';

beforeAll(() => Logger.overrideLogger(false));

const requests: DatasetDescription = {
  name: 'requests',
  timeColumn: 'ts',
  columns: [
    { name: 'ts', type: 'time' },
    { name: 'latency', type: 'number' },
  ],
};

function queryable(datasets: DatasetDescription[] = [requests]): Queryable {
  return { listDatasets: async () => datasets, queryTimeSeries: async () => [], queryTable: async () => ({ columns: [], rows: [] }) };
}

function runtime(pipelines: Record<string, { plugin: string; queryable: Queryable | null }>) {
  const stop = jest.fn(async () => undefined);
  const running = Object.entries(pipelines).map(([name, p]) => ({ name, config: { sink: { plugin: p.plugin } }, queryable: () => p.queryable }));
  const fake = { pipelines: running, pipeline: (name: string) => running.find((p) => p.name === name), stop };
  return { runtime: fake as unknown as SluiceRuntime, stop };
}

const query = (overrides: Partial<NamedQueryConfig> & { name: string }): NamedQueryConfig =>
  ({ pipeline: 'metrics', dataset: 'requests', kind: 'timeseries', aggregation: 'count', filters: [], rangeMs: 1000, path: 'queries[0]', ...overrides }) as NamedQueryConfig;

function registry(queries: NamedQueryConfig[], fake: SluiceRuntime): QueryRegistry {
  return new QueryRegistry({ config: { queries, grafana: {} } } as unknown as QueryModuleOptions, fake);
}

describe('QueryRegistry', () => {
  it('checks the named queries at startup and keeps their dataset descriptions', async () => {
    const { runtime: fake, stop } = runtime({ metrics: { plugin: 'sql', queryable: queryable() } });
    const events = query({ name: 'events' });
    const reg = registry([events], fake);
    await reg.onApplicationBootstrap();
    await reg.onApplicationBootstrap();
    expect(stop).not.toHaveBeenCalled();
    expect(reg.datasetOf(events)).toBe(requests);
    expect(reg.find('events')).toBe(events);
    expect(reg.require('events')).toBe(events);
  });

  it('fails the startup on a sink that is not queryable, an unknown dataset and unknown columns, and stops the pipelines', async () => {
    const { runtime: fake, stop } = runtime({ metrics: { plugin: 'sql', queryable: queryable() }, archive: { plugin: 'file', queryable: null } });
    const reg = registry(
      [
        query({ name: 'archived', pipeline: 'archive', path: 'queries[0]' }),
        query({ name: 'typo', dataset: 'request', path: 'queries[1]' }),
        query({ name: 'slow', kind: 'timeseries', aggregation: 'avg', value: 'latancy', path: 'queries[2]' }),
        query({ name: 'gone', pipeline: 'nowhere', path: 'queries[3]' }),
      ],
      fake,
    );
    const failure = reg.onApplicationBootstrap();
    await expect(failure).rejects.toThrow('the named queries cannot be served (4 problems):');
    await expect(failure).rejects.toThrow(
      'queries[0] (query "archived"): the sink of pipeline "archive" (plugin "file") cannot be queried: it does not implement the queryable capability',
    );
    await expect(failure).rejects.toThrow('queries[1] (query "typo"): the sink of pipeline "metrics" has no dataset "request" (did you mean "requests"?); its datasets: requests');
    await expect(failure).rejects.toThrow('queries[2] (query "slow"): value: unknown column "latancy" in dataset "requests" (did you mean "latency"?)');
    await expect(failure).rejects.toThrow('queries[3] (query "gone"): pipeline "nowhere" is not running');
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('names the route sinks of a pipeline with routes none of which can be queried', async () => {
    const routed = { name: 'fan', config: { routes: [{ sink: { plugin: 'file' } }, { sink: { plugin: 'kafka' } }] }, queryable: () => null };
    const fake = { pipelines: [routed], pipeline: (name: string) => (name === 'fan' ? routed : undefined), stop: jest.fn(async () => undefined) } as unknown as SluiceRuntime;
    await expect(registry([query({ name: 'fanned', pipeline: 'fan' })], fake).onApplicationBootstrap()).rejects.toThrow(
      'queries[0] (query "fanned"): the route sinks of pipeline "fan" (plugins "file", "kafka") cannot be queried: none implements the queryable capability',
    );
  });

  it('reports a sink that fails to list its datasets', async () => {
    const broken: Queryable = { ...queryable(), listDatasets: async () => Promise.reject(new Error('connection refused')) };
    const { runtime: fake } = runtime({ metrics: { plugin: 'sql', queryable: broken } });
    await expect(registry([query({ name: 'events' })], fake).onApplicationBootstrap()).rejects.toThrow('failed to list its datasets: connection refused');
  });

  it('answers 404 naming the closest query, and 503 for a pipeline that is not running', () => {
    const { runtime: fake } = runtime({ metrics: { plugin: 'sql', queryable: null } });
    const reg = registry([query({ name: 'events' })], fake);
    expect(() => reg.require('event')).toThrow(NotFoundException);
    expect(() => reg.require('event')).toThrow('no query named "event" (did you mean "events"?); queries: events');
    expect(() => registry([], fake).require('x')).toThrow('no query named "x"; no queries are configured');
    expect(() => reg.queryable('nowhere')).toThrow(QueryUnavailableError);
    expect(() => reg.queryable('metrics')).toThrow('the sink of pipeline "metrics" cannot be queried now');
  });

  it('lists the queryable sinks of the running pipelines with their datasets', async () => {
    const q = queryable();
    const { runtime: fake } = runtime({ metrics: { plugin: 'sql', queryable: q }, archive: { plugin: 'file', queryable: null } });
    expect(await registry([], fake).queryableSinks()).toEqual([{ pipeline: 'metrics', queryable: q, datasets: [requests] }]);
  });
});
