import { describe, expect, it } from '@jest/globals';
import type { DatasetDescription } from '@sluice/sdk';
import { restrictsToRange, specProblems, type QuerySpec } from './query-spec.js';

const requests: DatasetDescription = {
  name: 'requests',
  timeColumn: 'ts',
  columns: [
    { name: 'ts', type: 'time' },
    { name: 'city', type: 'string' },
    { name: 'latency', type: 'number' },
    { name: 'ok', type: 'boolean' },
    { name: 'meta', type: 'json' },
  ],
};
const plain: DatasetDescription = { name: 'plain', columns: [{ name: 'a', type: 'string' }] };

describe('specProblems', () => {
  it('accepts specs whose columns exist with fitting types', () => {
    const specs: QuerySpec[] = [
      { kind: 'timeseries', dataset: 'requests', aggregation: 'count', filters: [] },
      { kind: 'timeseries', dataset: 'requests', aggregation: 'avg', value: 'latency', groupBy: 'city', filters: [{ column: 'ok', op: '=', value: true }] },
      { kind: 'table', dataset: 'requests', columns: ['city'], aggregations: [{ fn: 'count', as: 'n' }, { column: 'ts', fn: 'max', as: 'last' }], orderBy: [{ column: 'n', direction: 'desc' }], filters: [] },
      { kind: 'table', dataset: 'requests', orderBy: [{ column: 'ts', direction: 'asc' }], useTimeRange: true, filters: [] },
      { kind: 'table', dataset: 'requests', aggregations: [{ column: 'latency', fn: 'avg', weight: 'latency', as: 'w' }], filters: [] },
    ];
    for (const spec of specs) expect(specProblems(spec, requests)).toEqual([]);
  });

  it('names unknown columns with a suggestion and the dataset columns', () => {
    expect(specProblems({ kind: 'timeseries', dataset: 'requests', aggregation: 'sum', value: 'latncy', filters: [] }, requests)).toEqual([
      'value: unknown column "latncy" in dataset "requests" (did you mean "latency"?); its columns: ts, city, latency, ok, meta',
    ]);
    expect(specProblems({ kind: 'table', dataset: 'requests', columns: ['town'], filters: [{ column: 'cty', op: '=', value: 'x' }] }, requests)).toEqual([
      'columns[0]: unknown column "town" in dataset "requests"; its columns: ts, city, latency, ok, meta',
      'filters[0].column: unknown column "cty" in dataset "requests" (did you mean "city"?); its columns: ts, city, latency, ok, meta',
    ]);
  });

  it('reports types that do not fit and missing time columns', () => {
    expect(specProblems({ kind: 'timeseries', dataset: 'requests', aggregation: 'avg', value: 'city', groupBy: 'meta', filters: [] }, requests)).toEqual([
      'value: column "city" is string; "avg" needs a number column',
      'groupBy: column "meta" is json and cannot be grouped on',
    ]);
    expect(specProblems({ kind: 'timeseries', dataset: 'plain', aggregation: 'count', filters: [] }, plain)).toEqual([
      'dataset "plain" has no time column, so it cannot be read as a time series (use kind: table)',
    ]);
    expect(specProblems({ kind: 'timeseries', dataset: 'requests', aggregation: 'max', filters: [] }, requests)).toEqual(['value: aggregation "max" needs the column it aggregates']);
    expect(specProblems({ kind: 'timeseries', dataset: 'requests', aggregation: 'avg', value: 'latency', weight: 'latency', filters: [] }, requests)).toEqual([]);
    expect(specProblems({ kind: 'timeseries', dataset: 'requests', aggregation: 'sum', value: 'latency', weight: 'latency', filters: [] }, requests)).toEqual([
      'weight: only applies to aggregation "avg" (a weighted average), not "sum"',
    ]);
    expect(specProblems({ kind: 'timeseries', dataset: 'requests', aggregation: 'avg', value: 'latency', weight: 'city', filters: [] }, requests)).toEqual([
      'weight: column "city" is string; a weighted average needs a number column',
    ]);
    expect(specProblems({ kind: 'timeseries', dataset: 'requests', aggregation: 'avg', value: 'latency', weight: 'latncy', filters: [] }, requests)).toEqual([
      'weight: unknown column "latncy" in dataset "requests" (did you mean "latency"?); its columns: ts, city, latency, ok, meta',
    ]);
    expect(
      specProblems(
        {
          kind: 'table',
          dataset: 'requests',
          columns: ['meta'],
          aggregations: [
            { column: 'city', fn: 'sum', as: 's' },
            { column: 'ok', fn: 'min', as: 'm' },
            { fn: 'avg', as: 'a' },
            { column: 'latency', fn: 'max', weight: 'latency', as: 'w1' },
            { column: 'latency', fn: 'avg', weight: 'city', as: 'w2' },
          ],
          orderBy: [{ column: 'latency', direction: 'asc' }],
          filters: [{ column: 'meta', op: '=', value: 1 }],
        },
        requests,
      ),
    ).toEqual([
      'columns[0]: column "meta" is json and cannot be grouped on',
      'aggregations[0]: "sum" needs a number column, "city" is string',
      'aggregations[1]: "min" cannot compare the values of boolean column "ok"',
      'aggregations[2]: "avg" needs a column',
      'aggregations[3]: weight only applies to fn "avg" (a weighted average), not "max"',
      'aggregations[4]: a weighted average needs a number weight column, "city" is string',
      'orderBy[0]: "latency" is neither a grouped column nor an aggregation of this query',
      'filters[0]: json column "meta" cannot be filtered on',
    ]);
    expect(specProblems({ kind: 'table', dataset: 'plain', useTimeRange: true, filters: [] }, plain)).toEqual(['useTimeRange: dataset "plain" has no time column to restrict']);
  });
});

describe('restrictsToRange', () => {
  it('follows useTimeRange, and by default whether the dataset has a time column', () => {
    const table = { kind: 'table', dataset: 'x', filters: [] } as const;
    expect(restrictsToRange(table, requests)).toBe(true);
    expect(restrictsToRange(table, plain)).toBe(false);
    expect(restrictsToRange(table, undefined)).toBe(false);
    expect(restrictsToRange({ ...table, useTimeRange: false }, requests)).toBe(false);
    expect(restrictsToRange({ ...table, useTimeRange: true }, plain)).toBe(true);
  });
});
