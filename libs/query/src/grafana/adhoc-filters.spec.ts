import { describe, expect, it } from '@jest/globals';
import type { DatasetDescription } from '@sluice/sdk';
import { adhocFiltersFor, parseAdhocFilters } from './adhoc-filters.js';

const dataset: DatasetDescription = {
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

describe('parseAdhocFilters', () => {
  it('reads adhocFilters, else Grafana 10 filters, with their extra fields', () => {
    expect(parseAdhocFilters({ adhocFilters: [{ key: 'city', operator: '=', value: 'Paris', condition: '' }] })).toEqual([{ key: 'city', operator: '=', value: 'Paris' }]);
    expect(parseAdhocFilters({ filters: [{ key: 'city', operator: '=|', value: 'Paris', values: ['Paris', 'Berlin'] }] })).toEqual([
      { key: 'city', operator: '=|', value: 'Paris', values: ['Paris', 'Berlin'] },
    ]);
    expect(parseAdhocFilters({ adhocFilters: [{ key: 'latency', operator: '>', value: 5 }] })).toEqual([{ key: 'latency', operator: '>', value: '5' }]);
    expect(parseAdhocFilters({})).toEqual([]);
    expect(parseAdhocFilters({ adhocFilters: null, filters: [] })).toEqual([]);
  });

  it('refuses malformed filters', () => {
    expect(() => parseAdhocFilters({ adhocFilters: {} })).toThrow('adhocFilters must be a list of { key, operator, value }');
    expect(() => parseAdhocFilters({ filters: [{ operator: '=', value: 'x' }] })).toThrow('filters[0].key is required');
    expect(() => parseAdhocFilters({ filters: [{ key: 'a', value: 'x' }] })).toThrow('filters[0].operator is required');
    expect(() => parseAdhocFilters({ filters: [{ key: 'a', operator: '=' }] })).toThrow('filters[0].value is required');
  });
});

describe('adhocFiltersFor', () => {
  it('types values like their columns and keeps only the dataset columns', () => {
    expect(
      adhocFiltersFor(
        [
          { key: 'city', operator: '!=', value: 'Paris' },
          { key: 'latency', operator: '>=', value: '12.5' },
          { key: 'ok', operator: '=', value: 'true' },
          { key: 'ts', operator: '<', value: '2025-01-01T00:00:00Z' },
          { key: 'ts', operator: '>', value: '1000' },
          { key: 'host', operator: '=', value: 'a' },
        ],
        dataset,
      ),
    ).toEqual([
      { column: 'city', op: '!=', value: 'Paris' },
      { column: 'latency', op: '>=', value: 12.5 },
      { column: 'ok', op: '=', value: true },
      { column: 'ts', op: '<', value: Date.parse('2025-01-01T00:00:00Z') },
      { column: 'ts', op: '>', value: 1000 },
    ]);
    expect(adhocFiltersFor([{ key: 'city', operator: '=', value: 'x' }], undefined)).toEqual([]);
  });

  it('turns =| into in and !=| into one != per value', () => {
    expect(adhocFiltersFor([{ key: 'latency', operator: '=|', values: ['1', '2'] }], dataset)).toEqual([{ column: 'latency', op: 'in', value: [1, 2] }]);
    expect(adhocFiltersFor([{ key: 'city', operator: '!=|', values: ['a', 'b'] }], dataset)).toEqual([
      { column: 'city', op: '!=', value: 'a' },
      { column: 'city', op: '!=', value: 'b' },
    ]);
  });

  it('refuses regex operators, unknown operators, json columns and values that do not fit', () => {
    expect(() => adhocFiltersFor([{ key: 'city', operator: '=~', value: 'P.*' }], dataset)).toThrow('regular-expression operators are not supported');
    expect(() => adhocFiltersFor([{ key: 'city', operator: 'like', value: 'P' }], dataset)).toThrow('unknown operator "like"');
    expect(() => adhocFiltersFor([{ key: 'meta', operator: '=', value: '{}' }], dataset)).toThrow('json column "meta" cannot be filtered on');
    expect(() => adhocFiltersFor([{ key: 'latency', operator: '=', value: 'fast' }], dataset)).toThrow('"fast" is not a number, and column "latency" holds numbers');
    expect(() => adhocFiltersFor([{ key: 'ok', operator: '=', value: 'yes' }], dataset)).toThrow('column "ok" holds booleans');
    expect(() => adhocFiltersFor([{ key: 'ts', operator: '>', value: 'later' }], dataset)).toThrow('"later" is not a time');
  });
});
