import { validateConfig } from '@sluice/sdk';
import cassandra from 'cassandra-driver';
import { CassandraSinkConfig } from './cassandra.config.js';
import { tableDefinition } from './table-definition.js';
import { InvalidQueryError, QueryTooLargeError, TableQueries } from './table-queries.js';

const { types } = cassandra;
const T0 = Date.UTC(2024, 0, 1);
const minute = 60_000;

function setup(maxRows = 1000) {
  const { config, issues } = validateConfig(CassandraSinkConfig, {
    contactPoints: ['127.0.0.1'],
    keyspace: 'k',
    table: 'readings',
    columns: [
      { name: 'sensor', type: 'text' },
      { name: 'id', type: 'uuid' },
      { name: 'at', type: 'timestamp' },
      { name: 'v', type: 'double' },
      { name: 'n', type: 'bigint' },
      { name: 'ok', type: 'boolean' },
      { name: 'tags', type: 'list<text>' },
    ],
    partitionKey: ['sensor'],
    clusteringKey: [{ column: 'at' }, { column: 'id' }],
    timeColumn: 'at',
  });
  expect(issues).toEqual([]);
  // Rows as the driver returns them (Dates, Longs, Uuids); the fake ignores the CQL, so every
  // filter and the range must hold in the plugin.
  const stored = [
    { sensor: 'a', at: T0 + 10_000, v: 1, n: 10, ok: true, tags: ['x'] },
    { sensor: 'a', at: T0 + 50_000, v: 3, n: 20, ok: false, tags: null },
    { sensor: 'b', at: T0 + 30_000, v: 10, n: null, ok: true, tags: ['y', 'z'] },
    { sensor: 'a', at: T0 + minute + 5_000, v: null, n: 5, ok: null, tags: null },
    { sensor: 'b', at: T0 + 2 * minute, v: 7, n: 1, ok: true, tags: null },
    { sensor: 'é', at: T0 + 3 * minute + 1, v: 100, n: 2, ok: false, tags: null }, // outside [T0, T0 + 3 min]
    { sensor: 'a', at: T0 - 1, v: 100, n: 2, ok: false, tags: null }, // before the range
  ].map((r, i) => ({
    ...r,
    id: types.Uuid.fromString(`00000000-0000-4000-8000-00000000000${i}`),
    at: new Date(r.at),
    n: r.n === null ? null : types.Long.fromNumber(r.n),
  }));
  const statements: Array<{ cql: string; params: unknown[] }> = [];
  const queries = new TableQueries(
    tableDefinition(config),
    async function* (cql, params) {
      statements.push({ cql, params });
      yield* stored;
    },
    maxRows,
  );
  return { queries, statements };
}

describe('table queries (computed in the plugin)', () => {
  it('describes the table as a dataset', () => {
    expect(setup().queries.describe()).toEqual({
      name: 'readings',
      columns: [
        { name: 'sensor', type: 'string' },
        { name: 'id', type: 'string' },
        { name: 'at', type: 'time' },
        { name: 'v', type: 'number' },
        { name: 'n', type: 'number' },
        { name: 'ok', type: 'boolean' },
        { name: 'tags', type: 'json' },
      ],
      timeColumn: 'at',
      keyColumns: ['sensor', 'at', 'id'],
    });
  });

  it('buckets rows of the range from `from`, ascending, every bucket start within the range', async () => {
    const { queries, statements } = setup();
    const series = await queries.timeSeries({ dataset: 'readings', aggregation: 'count', from: T0, to: T0 + 3 * minute, intervalMs: minute });
    expect(series).toEqual([{ name: 'count', points: [[3, T0], [1, T0 + minute], [1, T0 + 2 * minute]] }]);
    expect(statements).toEqual([{ cql: 'SELECT "at" FROM "k"."readings" WHERE "at" >= ? AND "at" <= ? ALLOW FILTERING', params: [new Date(T0), new Date(T0 + 3 * minute)] }]);
    const shifted = await queries.timeSeries({ dataset: 'readings', aggregation: 'count', from: T0 + 20_000, to: T0 + 3 * minute, intervalMs: minute });
    expect(shifted[0].points).toEqual([[3, T0 + 20_000], [1, T0 + 80_000]]);
  });

  it('aggregates sum/avg/min/max skipping nulls, one series per group sorted by name', async () => {
    const { queries } = setup();
    const base = { dataset: 'readings', from: T0, to: T0 + 3 * minute, intervalMs: minute, value: 'v' } as const;
    expect(await queries.timeSeries({ ...base, aggregation: 'sum' })).toEqual([{ name: 'sum(v)', points: [[14, T0], [null, T0 + minute], [7, T0 + 2 * minute]] }]);
    expect(await queries.timeSeries({ ...base, aggregation: 'avg', groupBy: 'sensor' })).toEqual([
      { name: 'a', points: [[2, T0], [null, T0 + minute]] },
      { name: 'b', points: [[10, T0], [7, T0 + 2 * minute]] },
    ]);
    expect(await queries.timeSeries({ ...base, aggregation: 'max', value: 'n', groupBy: 'ok' })).toEqual([
      { name: 'false', points: [[20, T0]] },
      { name: 'null', points: [[5, T0 + minute]] },
      { name: 'true', points: [[10, T0], [1, T0 + 2 * minute]] },
    ]);
    expect(await queries.timeSeries({ ...base, aggregation: 'min', filters: [{ column: 'sensor', op: '!=', value: 'b' }] })).toEqual([
      { name: 'min(v)', points: [[1, T0], [null, T0 + minute]] },
    ]);
  });

  it('averages weighted by another column, leaving out rows where either is null', async () => {
    const { queries, statements } = setup();
    const base = { dataset: 'readings', from: T0, to: T0 + 3 * minute, intervalMs: minute, aggregation: 'avg', value: 'v', weight: 'n' } as const;
    // b@30s has no weight, a@65s no value (its bucket holds a row: a null point).
    expect(await queries.timeSeries(base)).toEqual([{ name: 'avg(v)', points: [[(1 * 10 + 3 * 20) / 30, T0], [null, T0 + minute], [7, T0 + 2 * minute]] }]);
    expect(statements[0].cql).toBe('SELECT "at", "v", "n" FROM "k"."readings" WHERE "at" >= ? AND "at" <= ? ALLOW FILTERING');
    expect(await queries.timeSeries({ ...base, groupBy: 'sensor' })).toEqual([
      { name: 'a', points: [[(1 * 10 + 3 * 20) / 30, T0], [null, T0 + minute]] },
      { name: 'b', points: [[null, T0], [7, T0 + 2 * minute]] },
    ]);
  });

  it('answers an empty series when nothing is in range', async () => {
    const { queries } = setup();
    expect(await queries.timeSeries({ dataset: 'readings', aggregation: 'count', from: T0 + 10 * minute, to: T0 + 20 * minute, intervalMs: minute })).toEqual([{ name: 'count', points: [] }]);
    expect(await queries.timeSeries({ dataset: 'readings', aggregation: 'count', groupBy: 'sensor', from: T0 + 10 * minute, to: T0 + 20 * minute, intervalMs: minute })).toEqual([]);
  });

  it('pushes a partition filter and reads a slice when the time column clusters', async () => {
    const { queries, statements } = setup();
    const series = await queries.timeSeries({ dataset: 'readings', aggregation: 'count', from: T0, to: T0 + 3 * minute, intervalMs: 3 * minute, filters: [{ column: 'sensor', op: '=', value: 'a' }] });
    expect(series).toEqual([{ name: 'count', points: [[3, T0]] }]);
    expect(statements[0].cql).toBe('SELECT "at", "sensor" FROM "k"."readings" WHERE "sensor" = ? AND "at" >= ? AND "at" <= ?');
  });

  it('filters on every operator with typed values, nulls as in SQL', async () => {
    const { queries } = setup();
    const ids = async (filters: unknown[]) =>
      (await queries.table({ dataset: 'readings', columns: ['v'], filters: filters as never, orderBy: [{ column: 'v', direction: 'asc' }] })).rows.map((r) => r[0]);
    expect(await ids([{ column: 'v', op: '>', value: '3' }])).toEqual([7, 10, 100, 100]);
    expect(await ids([{ column: 'v', op: '<=', value: 3 }])).toEqual([1, 3]);
    expect(await ids([{ column: 'n', op: 'in', value: ['20', 5] }])).toEqual([3, null]);
    expect(await ids([{ column: 'v', op: '=', value: null }])).toEqual([null]);
    expect(await ids([{ column: 'ok', op: '!=', value: null }, { column: 'ok', op: '=', value: 'false' }])).toEqual([3, 100, 100]);
    expect(await ids([{ column: 'at', op: '>=', value: '2024-01-01T00:02:00Z' }])).toEqual([7, 100]);
    expect(await ids([{ column: 'id', op: '=', value: '00000000-0000-4000-8000-000000000002' }])).toEqual([10]);
    expect(await ids([{ column: 'sensor', op: '>', value: 'b' }])).toEqual([100]);
    expect(await ids([{ column: 'v', op: 'in', value: [] }])).toEqual([]);
  });

  it('returns plain rows within from/to, sorted (also on columns not returned), limited', async () => {
    const { queries } = setup();
    const result = await queries.table({
      dataset: 'readings',
      columns: ['sensor', 'at', 'tags'],
      from: T0,
      to: T0 + 3 * minute,
      orderBy: [{ column: 'v', direction: 'desc' }],
      limit: 3,
    });
    expect(result.columns).toEqual([
      { name: 'sensor', type: 'string' },
      { name: 'at', type: 'time' },
      { name: 'tags', type: 'json' },
    ]);
    // Descending puts nulls first (as PostgreSQL does).
    expect(result.rows).toEqual([
      ['a', T0 + minute + 5_000, null],
      ['b', T0 + 30_000, ['y', 'z']],
      ['b', T0 + 2 * minute, null],
    ]);
    const all = await queries.table({ dataset: 'readings' });
    expect(all.columns.map((c) => c.name)).toEqual(['sensor', 'id', 'at', 'v', 'n', 'ok', 'tags']);
    expect(all.rows[0]).toEqual(['a', '00000000-0000-4000-8000-000000000000', T0 + 10_000, 1, 10, true, ['x']]);
    expect(all.rows).toHaveLength(7);
  });

  it('stops reading once an unsorted query has its limit, and pushes the limit when it can', async () => {
    const { queries, statements } = setup();
    expect((await queries.table({ dataset: 'readings', columns: ['v'], limit: 2 })).rows).toEqual([[1], [3]]);
    expect(statements[0]).toEqual({ cql: 'SELECT "v" FROM "k"."readings" LIMIT ?', params: [2] });
    expect((await queries.table({ dataset: 'readings', columns: ['v'], limit: 0 })).rows).toEqual([]);
    expect(statements).toHaveLength(1);
  });

  it('groups and aggregates table queries, ordering by aggregate', async () => {
    const { queries } = setup();
    const result = await queries.table({
      dataset: 'readings',
      columns: ['sensor'],
      aggregations: [
        { fn: 'count', as: 'rows' },
        { fn: 'count', column: 'v', as: 'values' },
        { fn: 'sum', column: 'v', as: 'total' },
        { fn: 'min', column: 'at', as: 'first' },
        { fn: 'max', column: 'sensor', as: 'name' },
      ],
      from: T0,
      to: T0 + 3 * minute,
      orderBy: [{ column: 'total', direction: 'desc' }],
    });
    expect(result.columns).toEqual([
      { name: 'sensor', type: 'string' },
      { name: 'rows', type: 'number' },
      { name: 'values', type: 'number' },
      { name: 'total', type: 'number' },
      { name: 'first', type: 'time' },
      { name: 'name', type: 'string' },
    ]);
    expect(result.rows).toEqual([
      ['b', 2, 2, 17, T0 + 30_000, 'b'],
      ['a', 3, 2, 4, T0 + 10_000, 'a'],
    ]);
    const weighted = await queries.table({
      dataset: 'readings',
      columns: ['sensor'],
      aggregations: [{ fn: 'avg', column: 'v', weight: 'n', as: 'w' }, { fn: 'avg', column: 'v', as: 'plain' }],
      from: T0,
      to: T0 + 3 * minute,
      orderBy: [{ column: 'sensor', direction: 'asc' }],
    });
    // a: the row without v is left out; b: the row without n too (the plain average keeps it).
    expect(weighted.rows).toEqual([
      ['a', (1 * 10 + 3 * 20) / 30, 2],
      ['b', 7, 8.5],
    ]);
    const overall = await queries.table({ dataset: 'readings', aggregations: [{ fn: 'avg', column: 'n', as: 'avg' }], from: T0 + 10 * minute });
    expect(overall.rows).toEqual([[null]]);
    const { queries: counting, statements } = setup();
    expect((await counting.table({ dataset: 'readings', aggregations: [{ fn: 'count', as: 'n' }] })).rows).toEqual([[7]]);
    expect(statements[0].cql).toBe('SELECT "sensor" FROM "k"."readings"');
  });

  it('refuses queries it cannot answer, naming what is wrong', async () => {
    const { queries } = setup();
    const range = { from: T0, to: T0 + minute, intervalMs: minute };
    const refused = async (promise: Promise<unknown>) => {
      const error = await promise.then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidQueryError);
      return (error as Error).message;
    };
    expect(await refused(queries.timeSeries({ dataset: 'other', aggregation: 'count', ...range }))).toBe('unknown dataset "other"; this sink serves "readings"');
    expect(await refused(queries.timeSeries({ dataset: 'readings', aggregation: 'sum', value: 'sensor', ...range }))).toBe(
      'value column "sensor" is text; "sum" needs a number column (int, bigint, float, double or decimal)',
    );
    expect(await refused(queries.timeSeries({ dataset: 'readings', aggregation: 'avg', ...range }))).toBe('aggregation "avg" needs a value column');
    expect(await refused(queries.timeSeries({ dataset: 'readings', aggregation: 'sum', value: 'v', weight: 'n', ...range }))).toBe(
      'weight only applies to aggregation "avg" (a weighted average), not "sum"',
    );
    expect(await refused(queries.timeSeries({ dataset: 'readings', aggregation: 'avg', value: 'v', weight: 'ok', ...range }))).toBe(
      'weight column "ok" is boolean; a weighted average needs a number column (int, bigint, float, double or decimal)',
    );
    expect(await refused(queries.timeSeries({ dataset: 'readings', aggregation: 'avg', value: 'v', weight: 'nn', ...range }))).toMatch(/^weight: unknown column "nn".*did you mean "n"/);
    expect(await refused(queries.timeSeries({ dataset: 'readings', aggregation: 'count', groupBy: 'tags', ...range }))).toBe('groupBy column "tags" is list<text> and cannot be grouped on');
    expect(await refused(queries.timeSeries({ dataset: 'readings', aggregation: 'count', from: T0, to: T0 - 1, intervalMs: 1 }))).toBe(`from (${T0}) is after to (${T0 - 1})`);
    expect(await refused(queries.timeSeries({ dataset: 'readings', aggregation: 'count', from: T0, to: T0, intervalMs: 0 }))).toBe('intervalMs must be a positive number of milliseconds, got 0');
    expect(await refused(queries.timeSeries({ dataset: 'readings', aggregation: 'median' as never, ...range }))).toBe('aggregation must be one of count, sum, avg, min, max, got median');
    expect(await refused(queries.table({ dataset: 'readings', columns: ['sensr'] }))).toBe(
      'columns: unknown column "sensr" in dataset "readings" (did you mean "sensor"?); columns: sensor, id, at, v, n, ok, tags',
    );
    expect(await refused(queries.table({ dataset: 'readings', filters: [{ column: 'v', op: '>', value: 'high' }] }))).toBe(
      'filters[0].value for column "v": cannot convert "high" to double (not a number)',
    );
    expect(await refused(queries.table({ dataset: 'readings', filters: [{ column: 'tags', op: '=', value: 'x' }] }))).toBe('filters[0]: list<text> column "tags" cannot be filtered on');
    expect(await refused(queries.table({ dataset: 'readings', filters: [{ column: 'v', op: '<', value: null }] }))).toBe('filters[0]: null can only be compared with "=" or "!="');
    expect(await refused(queries.table({ dataset: 'readings', filters: [{ column: 'v', op: 'like' as never, value: 1 }] }))).toBe('filters[0].op must be one of =, !=, <, <=, >, >=, in, got like');
    expect(await refused(queries.table({ dataset: 'readings', orderBy: [{ column: 'tags', direction: 'asc' }] }))).toBe('orderBy[0]: "tags" holds collections and cannot be sorted on');
    expect(await refused(queries.table({ dataset: 'readings', columns: ['sensor'], aggregations: [{ fn: 'sum', column: 'v', as: 's' }], orderBy: [{ column: 'v', direction: 'asc' }] }))).toBe(
      'orderBy[0]: "v" is neither a grouped column nor an aggregation of this query',
    );
    expect(await refused(queries.table({ dataset: 'readings', aggregations: [{ fn: 'max', column: 'ok', as: 'm' }] }))).toBe('aggregations[0]: "max" cannot compare values of boolean column "ok"');
    expect(await refused(queries.table({ dataset: 'readings', aggregations: [{ fn: 'sum', as: 's' }] }))).toBe('aggregations[0]: "sum" needs a column');
    expect(await refused(queries.table({ dataset: 'readings', aggregations: [{ fn: 'sum', column: 'v', weight: 'n', as: 's' }] }))).toBe(
      'aggregations[0]: weight only applies to fn "avg" (a weighted average), not "sum"',
    );
    expect(await refused(queries.table({ dataset: 'readings', aggregations: [{ fn: 'avg', column: 'v', weight: 'sensor', as: 's' }] }))).toBe(
      'aggregations[0]: a weighted average needs a number weight column, "sensor" is text',
    );
    expect(await refused(queries.table({ dataset: 'readings', columns: [], aggregations: [] }))).toBe('the query selects nothing: give columns or aggregations');
    expect(await refused(queries.table({ dataset: 'readings', limit: -1 }))).toBe('limit must be a non-negative integer, got -1');
  });

  it('refuses a query that reads more rows than queryMaxRows', async () => {
    const { queries } = setup(5);
    const error = await queries.table({ dataset: 'readings', aggregations: [{ fn: 'count', as: 'n' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryTooLargeError);
    expect((error as Error).name).toBe('InvalidQueryError'); // the query module answers 400
    await expect(queries.table({ dataset: 'readings', aggregations: [{ fn: 'count', as: 'n' }] })).rejects.toThrow(
      'the query reads more than 5 rows of k.readings (queryMaxRows); narrow the time range or filter on the partition key, or raise queryMaxRows',
    );
  });
});
