import type { SqlDialect } from './sql-dialect.js';
import { SqlParameters } from './sql-parameters.js';

/**
 * Most buckets the bucket-by-bucket plan runs one index range read for; wider requests (a tiny
 * interval over a long range) use the scan plan.
 */
export const MAX_SEEK_BUCKETS = 10_000;

/** A time-series request, already checked, with its SQL fragments (identifiers quoted from the declaration). */
export interface TimeSeriesStatementInput {
  readonly tableSql: string;
  /** The quoted time column. */
  readonly timeSql: string;
  /** The aggregate, e.g. `COUNT(*)` or `AVG("price")`. */
  readonly valueSql: string;
  /** Whether the aggregate is COUNT(*) (0 over no rows) rather than one over a column (NULL over no rows). */
  readonly counts: boolean;
  /**
   * Whether the aggregate may be NULL over rows: the aggregated column may hold NULL (an aggregate
   * over only NULLs is NULL too), or it is a weighted average (NULL when the weights add up to 0).
   */
  readonly valueNullable: boolean;
  /** The quoted group column, when the series is grouped. */
  readonly groupSql?: string;
  readonly from: number;
  readonly to: number;
  readonly intervalMs: number;
  /** Adds the filter conditions' parameters to `params` and returns the conditions (called once, where they go). */
  readonly filters: (params: SqlParameters) => string[];
  /** Whether the time column leads an index (see `SqlDialect.leadingIndexQuery`). */
  readonly timeIndexed: boolean;
}

/** How the statement reads the table. */
export type TimeSeriesPlan = 'seek' | 'scan';

/**
 * A time-series statement. Its rows are `"g"` (grouped only), `"b"` (the 0-based bucket index) and
 * `"v"` (the aggregate), ordered by group then bucket. With `emptyBuckets`, rows of buckets that hold
 * no row are in the answer too (v is 0 for a count, NULL otherwise) and the caller leaves them out.
 */
export interface TimeSeriesStatement {
  readonly plan: TimeSeriesPlan;
  readonly sql: string;
  readonly parameters: unknown[];
  readonly emptyBuckets: boolean;
}

/**
 * Bucket i covers `[from + i·intervalMs, from + (i+1)·intervalMs)` within `[from, to]`. Two plans:
 *
 * - **seek** (when the time column leads an index): one index range read per bucket, aggregated on
 *   its own: a LATERAL subquery per bucket (PostgreSQL), or a scalar subquery per bucket (SQLite,
 *   ungrouped only, and only when an empty bucket cannot be told apart from one whose values are all
 *   NULL: a count, or a NOT NULL column). The database never sorts or hashes the rows of the range:
 *   a bucket's rows arrive together from the index.
 * - **scan**: the rows of the range are read once and grouped by a computed bucket index
 *   (`GROUP BY`), which sorts or hashes every row of the range. Used when there is no index to seek
 *   with, for more than {@link MAX_SEEK_BUCKETS} buckets, for fractional bounds or widths, and for
 *   the cases above that SQLite's seek plan cannot answer exactly.
 *
 * Both answer the same rows.
 */
export function timeSeriesStatement(dialect: SqlDialect, input: TimeSeriesStatementInput): TimeSeriesStatement {
  return timeSeriesPlan(dialect, input) === 'seek' ? seekStatement(dialect, input) : scanStatement(dialect, input);
}

/** Which plan {@link timeSeriesStatement} uses for `input`. */
export function timeSeriesPlan(dialect: SqlDialect, input: TimeSeriesStatementInput): TimeSeriesPlan {
  const { from, to, intervalMs } = input;
  if (!input.timeIndexed) return 'scan';
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || !Number.isSafeInteger(intervalMs)) return 'scan';
  if (bucketCount(from, to, intervalMs) > MAX_SEEK_BUCKETS) return 'scan';
  if (dialect.lateralJoins) return 'seek';
  return input.groupSql === undefined && (input.counts || !input.valueNullable) ? 'seek' : 'scan';
}

/** Buckets of width `intervalMs` starting at `from` needed to cover `[from, to]` (both inclusive). */
export function bucketCount(from: number, to: number, intervalMs: number): number {
  return Math.ceil((to - from + 1) / intervalMs);
}

function scanStatement(dialect: SqlDialect, input: TimeSeriesStatementInput): TimeSeriesStatement {
  const params = new SqlParameters(dialect);
  const { timeSql: time } = input;
  const select: string[] = [];
  if (input.groupSql) select.push(`${input.groupSql} AS "g"`);
  select.push(`${dialect.bucketIndex(time, params.add(input.from), params.add(input.intervalMs))} AS "b"`);
  select.push(`${input.valueSql} AS "v"`);
  const conditions = [`${time} >= ${params.add(dialect.timeParameter(input.from))}`, `${time} <= ${params.add(dialect.timeParameter(input.to))}`];
  conditions.push(...input.filters(params));
  const grouping = input.groupSql ? '1, 2' : '1';
  const sql = `SELECT ${select.join(', ')} FROM ${input.tableSql} WHERE ${conditions.join(' AND ')} GROUP BY ${grouping} ORDER BY ${grouping}`;
  return { plan: 'scan', sql, parameters: params.values, emptyBuckets: false };
}

function seekStatement(dialect: SqlDialect, input: TimeSeriesStatementInput): TimeSeriesStatement {
  const params = new SqlParameters(dialect);
  const { timeSql: time } = input;
  const series = dialect.bucketSeries(params.add(bucketCount(input.from, input.to, input.intervalMs)));
  // The rows of bucket "i", through the index on the time column.
  const inBucket = () => {
    const conditions = [
      `${time} >= ${dialect.bucketStart(params.add(dialect.timeParameter(input.from)), '"i"', params.add(input.intervalMs))}`,
      `${time} < ${dialect.bucketStart(params.add(dialect.timeParameter(input.from)), '("i" + 1)', params.add(input.intervalMs))}`,
      `${time} <= ${params.add(dialect.timeParameter(input.to))}`,
      ...input.filters(params),
    ];
    return `FROM ${input.tableSql} WHERE ${conditions.join(' AND ')}`;
  };
  if (dialect.lateralJoins) {
    // An ungrouped aggregate over no rows still yields a row: HAVING leaves empty buckets out.
    const perBucket = input.groupSql
      ? `SELECT ${input.groupSql} AS "g", ${input.valueSql} AS "v" ${inBucket()} GROUP BY 1`
      : `SELECT ${input.valueSql} AS "v" ${inBucket()} HAVING COUNT(*) > 0`;
    const select = input.groupSql ? '"a"."g", "i" AS "b", "a"."v"' : '"i" AS "b", "a"."v"';
    const sql = `${series.prefix}SELECT ${select} FROM ${series.from} CROSS JOIN LATERAL (${perBucket}) AS "a" ORDER BY ${input.groupSql ? '1, 2' : '1'}`;
    return { plan: 'seek', sql, parameters: params.values, emptyBuckets: false };
  }
  const sql = `${series.prefix}SELECT "i" AS "b", (SELECT ${input.valueSql} ${inBucket()}) AS "v" FROM ${series.from} ORDER BY 1`;
  return { plan: 'seek', sql, parameters: params.values, emptyBuckets: true };
}
