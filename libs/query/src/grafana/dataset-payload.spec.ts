import { describe, expect, it } from '@jest/globals';
import type { DatasetDescription } from '@sluice/sdk';
import { datasetSpec, DEFAULT_TABLE_LIMIT, payloadDefinitions, payloadEntries, payloadOptions } from './dataset-payload.js';

const requests: DatasetDescription = {
  name: 'requests',
  timeColumn: 'ts',
  columns: [
    { name: 'ts', type: 'time' },
    { name: 'city', type: 'string' },
    { name: 'latency', type: 'number' },
    { name: 'meta', type: 'json' },
  ],
};
const people: DatasetDescription = { name: 'people', columns: [{ name: 'name', type: 'string' }] };

describe('payloadEntries', () => {
  it('drops what the builder sends for blank payloads', () => {
    expect(payloadEntries({ kind: 'table', value: '', columns: [], limit: null }, 't')).toEqual({ kind: 'table' });
    expect(payloadEntries(undefined, 't')).toEqual({});
    expect(payloadEntries('', 't')).toEqual({});
    expect(() => payloadEntries('{"a":1}', 'targets[0]')).toThrow('targets[0].payload must be a JSON object');
  });
});

describe('datasetSpec', () => {
  it('defaults to a count per bucket when the dataset has a time column, to rows otherwise', () => {
    expect(datasetSpec({}, requests, 't')).toEqual({ kind: 'timeseries', dataset: 'requests', aggregation: 'count', filters: [] });
    expect(datasetSpec(undefined, people, 't')).toEqual({ kind: 'table', dataset: 'people', limit: DEFAULT_TABLE_LIMIT, filters: [] });
  });

  it('reads time-series and table payloads, builder strings included', () => {
    expect(datasetSpec({ kind: 'timeseries', aggregation: 'avg', value: 'latency', groupBy: 'city', columns: [], limit: '' }, requests, 't')).toEqual({
      kind: 'timeseries',
      dataset: 'requests',
      aggregation: 'avg',
      value: 'latency',
      groupBy: 'city',
      filters: [],
    });
    expect(datasetSpec({ aggregation: 'avg', value: 'latency', weight: 'latency', groupBy: '' }, requests, 't')).toEqual({
      kind: 'timeseries',
      dataset: 'requests',
      aggregation: 'avg',
      value: 'latency',
      weight: 'latency',
      filters: [],
    });
    expect(datasetSpec({ kind: 'table', columns: 'ts, city', limit: '25' }, requests, 't')).toEqual({
      kind: 'table',
      dataset: 'requests',
      columns: ['ts', 'city'],
      orderBy: [{ column: 'ts', direction: 'desc' }],
      limit: 25,
      filters: [],
    });
  });

  it('refuses unknown keys, keys of the other kind, bad values and unknown columns', () => {
    expect(() => datasetSpec({ agregation: 'avg' }, requests, 'targets[1]')).toThrow('targets[1].payload: unknown key "agregation" (did you mean "aggregation"?)');
    expect(() => datasetSpec({ kind: 'table', groupBy: 'city' }, requests, 't')).toThrow('t.payload.groupBy only applies to kind timeseries');
    expect(() => datasetSpec({ limit: 5 }, requests, 't')).toThrow('t.payload.limit only applies to kind table');
    expect(() => datasetSpec({ kind: 'graph' }, requests, 't')).toThrow('t.payload.kind must be "timeseries" or "table"');
    expect(() => datasetSpec({ aggregation: 'median' }, requests, 't')).toThrow('t.payload.aggregation must be one of count, sum, avg, min, max');
    expect(() => datasetSpec({ kind: 'table', limit: '-1' }, requests, 't')).toThrow('t.payload.limit must be a non-negative integer');
    expect(() => datasetSpec({ aggregation: 'sum', value: 'city' }, requests, 't')).toThrow('t.payload: value: column "city" is string; "sum" needs a number column');
    expect(() => datasetSpec({ kind: 'timeseries' }, people, 't')).toThrow('dataset "people" has no time column');
    expect(() => datasetSpec({ aggregation: 'max', value: 'latency', weight: 'latency' }, requests, 't')).toThrow('t.payload: weight: only applies to aggregation "avg"');
    expect(() => datasetSpec({ kind: 'table', weight: 'latency' }, requests, 't')).toThrow('t.payload.weight only applies to kind timeseries');
  });
});

describe('payload options and definitions', () => {
  it('offers the fitting columns for each payload', () => {
    expect(payloadOptions('value', requests)).toEqual([{ label: 'latency', value: 'latency' }]);
    expect(payloadOptions('weight', requests)).toEqual([{ label: 'latency', value: 'latency' }]);
    expect(payloadOptions('groupBy', requests).map((o) => o.value)).toEqual(['ts', 'city', 'latency']);
    expect(payloadOptions('kind', people)).toEqual([{ label: 'Table', value: 'table' }]);
    expect(() => payloadOptions('groupby', requests)).toThrow('(did you mean "groupBy"?)');
  });

  it('describes every payload for the builder', () => {
    const definitions = payloadDefinitions(requests);
    expect(definitions.map((d) => [d.name, d.type])).toEqual([
      ['kind', 'select'],
      ['aggregation', 'select'],
      ['value', 'select'],
      ['weight', 'select'],
      ['groupBy', 'select'],
      ['columns', 'multi-select'],
      ['limit', 'input'],
    ]);
    expect(definitions[6]).toEqual({ name: 'limit', label: 'Row limit (table)', type: 'input', placeholder: '1000' });
  });
});
