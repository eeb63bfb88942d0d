import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { DatasetDescription, Queryable, TableQuery, TimeSeriesQuery } from '@sluice/sdk';
import { pointsInWindow, runQuery } from './query-runner.js';

function fakeQueryable(answer: Partial<{ series: Awaited<ReturnType<Queryable['queryTimeSeries']>>; table: Awaited<ReturnType<Queryable['queryTable']>> }> = {}) {
  const timeSeries = jest.fn(async (_q: TimeSeriesQuery) => answer.series ?? []);
  const table = jest.fn(async (_q: TableQuery) => answer.table ?? { columns: [], rows: [] });
  const queryable: Queryable = { listDatasets: async () => [], queryTimeSeries: timeSeries, queryTable: table };
  return { queryable, timeSeries, table };
}

const dataset: DatasetDescription = { name: 'requests', timeColumn: 'ts', columns: [{ name: 'ts', type: 'time' }] };
const window = { from: 1000, to: 1999, intervalMs: 100 };

// The warning about left-out points goes to Nest's logger: keep the test output clean.
beforeAll(() => Logger.overrideLogger(false));

describe('pointsInWindow', () => {
  it('keeps ascending points inside the window as they are', () => {
    expect(pointsInWindow({ name: 's', points: [[1, 1000], [2, 1500], [3, 1999]] }, window, 'test')).toEqual([[1, 1000], [2, 1500], [3, 1999]]);
  });

  it('sorts points a sink returned out of order, and leaves out points outside the window', () => {
    expect(pointsInWindow({ name: 's', points: [[2, 1500], [9, 2000], [1, 1000], [8, 999]] }, window, 'test')).toEqual([[1, 1000], [2, 1500]]);
  });
});

describe('runQuery', () => {
  it('asks for a time series with the window, the bucket and the spec and extra filters', async () => {
    const { queryable, timeSeries } = fakeQueryable({ series: [{ name: 'avg(latency)', points: [[4, 1100], [3, 1000]] }] });
    const outcome = await runQuery(
      queryable,
      { kind: 'timeseries', dataset: 'requests', aggregation: 'avg', value: 'latency', groupBy: 'city', filters: [{ column: 'ok', op: '=', value: true }] },
      dataset,
      window,
      [{ column: 'city', op: 'in', value: ['Paris'] }],
    );
    expect(timeSeries).toHaveBeenCalledWith({
      dataset: 'requests',
      aggregation: 'avg',
      value: 'latency',
      groupBy: 'city',
      from: 1000,
      to: 1999,
      intervalMs: 100,
      filters: [
        { column: 'ok', op: '=', value: true },
        { column: 'city', op: 'in', value: ['Paris'] },
      ],
    });
    expect(outcome).toEqual({ kind: 'timeseries', from: 1000, to: 1999, intervalMs: 100, grouped: true, series: [{ name: 'avg(latency)', points: [[3, 1000], [4, 1100]] }] });
  });

  it('sends no value for count, and no filters when there are none', async () => {
    const { queryable, timeSeries } = fakeQueryable();
    await runQuery(queryable, { kind: 'timeseries', dataset: 'requests', aggregation: 'count', filters: [] }, dataset, window);
    expect(timeSeries).toHaveBeenCalledWith({ dataset: 'requests', aggregation: 'count', from: 1000, to: 1999, intervalMs: 100 });
  });

  it('passes the weight of a weighted average', async () => {
    const { queryable, timeSeries } = fakeQueryable();
    await runQuery(queryable, { kind: 'timeseries', dataset: 'requests', aggregation: 'avg', value: 'latency', weight: 'hits', filters: [] }, dataset, window);
    expect(timeSeries).toHaveBeenCalledWith({ dataset: 'requests', aggregation: 'avg', value: 'latency', weight: 'hits', from: 1000, to: 1999, intervalMs: 100 });
  });

  it('restricts a table to the window only when the spec says so or the dataset has a time column', async () => {
    const answer = { columns: [{ name: 'n', type: 'number' as const }], rows: [[3]] };
    const { queryable, table } = fakeQueryable({ table: answer });
    const spec = { kind: 'table', dataset: 'requests', aggregations: [{ fn: 'count', as: 'n' }], limit: 5, filters: [] } as const;
    expect(await runQuery(queryable, spec, dataset, window)).toEqual({ kind: 'table', range: { from: 1000, to: 1999 }, ...answer });
    expect(table).toHaveBeenLastCalledWith({ dataset: 'requests', aggregations: [{ fn: 'count', as: 'n' }], limit: 5, from: 1000, to: 1999 });
    expect(await runQuery(queryable, { ...spec, useTimeRange: false }, dataset, window)).toEqual({ kind: 'table', ...answer });
    expect(table).toHaveBeenLastCalledWith({ dataset: 'requests', aggregations: [{ fn: 'count', as: 'n' }], limit: 5 });
    await runQuery(queryable, spec, { name: 'requests', columns: [] }, window);
    expect(table).toHaveBeenLastCalledWith({ dataset: 'requests', aggregations: [{ fn: 'count', as: 'n' }], limit: 5 });
  });
});
