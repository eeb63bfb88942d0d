import { dialectFor } from './sql-dialect.js';
import { bucketCount, MAX_SEEK_BUCKETS, timeSeriesPlan, timeSeriesStatement, type TimeSeriesStatementInput } from './time-series-statement.js';

const sqlite = dialectFor('sqlite');
const postgres = dialectFor('postgres');
const T0 = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;

function input(overrides: Partial<TimeSeriesStatementInput> = {}): TimeSeriesStatementInput {
  return {
    tableSql: '"points"',
    timeSql: '"ts"',
    valueSql: 'COUNT(*)',
    counts: true,
    valueNullable: false,
    from: T0,
    to: T0 + 24 * HOUR - 1,
    intervalMs: 86_400,
    filters: (params) => [`"host" = ${params.add('alpha')}`],
    timeIndexed: true,
    ...overrides,
  };
}

const avgOfNullable = { valueSql: 'AVG("value")', counts: false, valueNullable: true };

describe('bucketCount', () => {
  it('counts the buckets covering [from, to], both inclusive', () => {
    expect(bucketCount(0, 9, 5)).toBe(2);
    expect(bucketCount(0, 10, 5)).toBe(3);
    expect(bucketCount(T0, T0 + 24 * HOUR, 86_400)).toBe(1001);
    expect(bucketCount(T0, T0, 1000)).toBe(1);
  });
});

describe('timeSeriesPlan', () => {
  it('seeks bucket by bucket through the time index when it can', () => {
    expect(timeSeriesPlan(sqlite, input())).toBe('seek');
    expect(timeSeriesPlan(postgres, input())).toBe('seek');
    expect(timeSeriesPlan(sqlite, input({ valueSql: 'AVG("value")', counts: false }))).toBe('seek');
    expect(timeSeriesPlan(postgres, input({ groupSql: '"host"', ...avgOfNullable }))).toBe('seek');
  });

  it('scans without an index led by the time column', () => {
    expect(timeSeriesPlan(sqlite, input({ timeIndexed: false }))).toBe('scan');
    expect(timeSeriesPlan(postgres, input({ timeIndexed: false }))).toBe('scan');
  });

  it('scans for more buckets than MAX_SEEK_BUCKETS and for fractional bounds or widths', () => {
    expect(timeSeriesPlan(postgres, input({ to: T0 + MAX_SEEK_BUCKETS * 1000 - 1, intervalMs: 1000 }))).toBe('seek');
    expect(timeSeriesPlan(postgres, input({ to: T0 + MAX_SEEK_BUCKETS * 1000, intervalMs: 1000 }))).toBe('scan');
    expect(timeSeriesPlan(sqlite, input({ intervalMs: 86_400.5 }))).toBe('scan');
    expect(timeSeriesPlan(sqlite, input({ from: T0 + 0.25 }))).toBe('scan');
  });

  it('on SQLite (no LATERAL) seeks only ungrouped series whose empty buckets are recognisable', () => {
    expect(timeSeriesPlan(sqlite, input({ groupSql: '"host"' }))).toBe('scan');
    // An average over only NULLs reads like an empty bucket: scanned, so it stays a [null, t] point.
    expect(timeSeriesPlan(sqlite, input(avgOfNullable))).toBe('scan');
    expect(timeSeriesPlan(postgres, input(avgOfNullable))).toBe('seek');
  });
});

describe('timeSeriesStatement', () => {
  it('SQLite seek: a scalar subquery per bucket of a recursive series; empty buckets come back and are the caller’s to drop', () => {
    const statement = timeSeriesStatement(sqlite, input());
    expect(statement.sql).toBe(
      'WITH RECURSIVE "buckets"("i") AS (SELECT 0 UNION ALL SELECT "i" + 1 FROM "buckets" WHERE "i" + 1 < ?) ' +
        'SELECT "i" AS "b", (SELECT COUNT(*) FROM "points" WHERE "ts" >= (? + "i" * ?) AND "ts" < (? + ("i" + 1) * ?) AND "ts" <= ? AND "host" = ?) AS "v" ' +
        'FROM "buckets" ORDER BY 1',
    );
    expect(statement.parameters).toEqual([1000, T0, 86_400, T0, 86_400, T0 + 24 * HOUR - 1, 'alpha']);
    expect(statement).toMatchObject({ plan: 'seek', emptyBuckets: true });
  });

  it('PostgreSQL seek: a LATERAL aggregate per bucket that leaves empty buckets out', () => {
    const statement = timeSeriesStatement(postgres, input({ ...avgOfNullable }));
    expect(statement.sql).toBe(
      'SELECT "i" AS "b", "a"."v" FROM generate_series(0, $1::integer - 1) AS "i" CROSS JOIN LATERAL (' +
        `SELECT AVG("value") AS "v" FROM "points" WHERE "ts" >= ($2::timestamptz + "i" * $3::bigint * interval '1 millisecond') ` +
        `AND "ts" < ($4::timestamptz + ("i" + 1) * $5::bigint * interval '1 millisecond') AND "ts" <= $6 AND "host" = $7 HAVING COUNT(*) > 0) AS "a" ORDER BY 1`,
    );
    const from = new Date(T0).toISOString();
    expect(statement.parameters).toEqual([1000, from, 86_400, from, 86_400, new Date(T0 + 24 * HOUR - 1).toISOString(), 'alpha']);
    expect(statement).toMatchObject({ plan: 'seek', emptyBuckets: false });
  });

  it('PostgreSQL seek, grouped: one row per group present in a bucket, ordered by group then bucket', () => {
    const { sql } = timeSeriesStatement(postgres, input({ groupSql: '"host"' }));
    expect(sql).toMatch(/^SELECT "a"\."g", "i" AS "b", "a"\."v" FROM generate_series\(0, \$1::integer - 1\) AS "i" CROSS JOIN LATERAL \(SELECT "host" AS "g", COUNT\(\*\) AS "v" FROM "points" WHERE .* GROUP BY 1\) AS "a" ORDER BY 1, 2$/);
  });

  it('scan: one pass over the range grouped by the computed bucket index', () => {
    const statement = timeSeriesStatement(sqlite, input({ timeIndexed: false, groupSql: '"host"' }));
    expect(statement.sql).toBe(
      'SELECT "host" AS "g", CAST(("ts" - ?) / ? AS INTEGER) AS "b", COUNT(*) AS "v" FROM "points" WHERE "ts" >= ? AND "ts" <= ? AND "host" = ? GROUP BY 1, 2 ORDER BY 1, 2',
    );
    expect(statement.parameters).toEqual([T0, 86_400, T0, T0 + 24 * HOUR - 1, 'alpha']);
    expect(statement).toMatchObject({ plan: 'scan', emptyBuckets: false });
  });
});

describe('leadingIndexQuery', () => {
  it('asks SQLite for an index whose first column is the time column, case-insensitively, not partial', () => {
    const { sql, parameters } = sqlite.leadingIndexQuery({ table: 'points' }, 'ts');
    expect(sql).toContain('pragma_index_list(?)');
    expect(sql).toContain('"c"."seqno" = 0');
    expect(sql).toContain('"l"."partial" = 0');
    expect(parameters).toEqual(['points', 'ts']);
  });

  it('asks PostgreSQL for a valid, non-partial b-tree index led by the column, schema-qualified', () => {
    const { sql, parameters } = postgres.leadingIndexQuery({ schema: 'My"Schema', table: 'points' }, 'ts');
    expect(sql).toContain('"x"."indkey"[0]');
    expect(sql).toContain('"x"."indpred" IS NULL');
    expect(sql).toContain(`"m"."amname" = 'btree'`);
    expect(parameters).toEqual(['"My""Schema"."points"', 'ts']);
  });
});
