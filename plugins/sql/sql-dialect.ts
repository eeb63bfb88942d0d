import type { ColumnType } from '@sluice/sdk';
import type { SqlColumnType, SqlDriverName } from './sql.config.js';

/**
 * What differs between SQLite and PostgreSQL for this sink: placeholders, parameter limits, column
 * types, how stored values read back, and how timestamps are bucketed.
 *
 * Timestamps: SQLite has no date type, so a `timestamp` column is an INTEGER of epoch milliseconds
 * (bucketing is integer arithmetic on the column, range filters use its index). PostgreSQL uses
 * `timestamptz` (range filters compare with timestamptz parameters, so they use the index; buckets
 * are computed from `extract(epoch ...)`). Either way queries speak epoch milliseconds.
 */
export interface SqlDialect {
  readonly driver: SqlDriverName;
  /** Most bind parameters one statement may carry. */
  readonly maxParameters: number;
  /** The placeholder of the parameter at 0-based position `index` of a statement. */
  placeholder(index: number): string;
  /** The TypeORM column type (and length) used to create a column. */
  tableColumnType(type: SqlColumnType, length?: number): { type: string; length?: string };
  /** A stored value (or a min/max over it) as it reads back from the driver → the JS value queries return. */
  decode(type: SqlColumnType, raw: unknown): unknown;
  /** A timestamp parameter (for comparisons with a timestamp column) from epoch ms. */
  timeParameter(ms: number): unknown;
  /** SQL for the 0-based bucket index of a timestamp column, given placeholders for range start and width (ms). */
  bucketIndex(columnSql: string, fromPlaceholder: string, intervalPlaceholder: string): string;
  /**
   * Whether the database joins LATERAL subqueries. With them, every time series can be aggregated
   * bucket by bucket (see time-series-statement.ts); without them only an ungrouped one can, through a
   * scalar subquery per bucket.
   */
  readonly lateralJoins: boolean;
  /**
   * The integers 0 .. count-1 as column "i", for the bucket-by-bucket plan: `from` is the FROM item,
   * `prefix` what the statement must start with (a WITH clause; empty when none is needed).
   */
  bucketSeries(countPlaceholder: string): { readonly prefix: string; readonly from: string };
  /**
   * SQL for the start of bucket `indexSql` as a value the time column compares with through its
   * index: `from + index × width` ms, given placeholders for `timeParameter(from)` and the width.
   */
  bucketStart(fromPlaceholder: string, indexSql: string, widthPlaceholder: string): string;
  /**
   * A statement that answers a row when a (non-partial, b-tree) index of the table has `column` as
   * its first column, i.e. when a range of that column can be read through an index.
   */
  leadingIndexQuery(table: { readonly schema?: string; readonly table: string }, column: string): { readonly sql: string; readonly parameters: unknown[] };
}

/** Quotes an identifier (already validated as a plain SQL identifier; quotes are doubled regardless). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** How a column type shows in dataset descriptions. */
export function describedType(type: SqlColumnType): ColumnType {
  switch (type) {
    case 'string':
    case 'text':
      return 'string';
    case 'integer':
    case 'bigint':
    case 'float':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'timestamp':
      return 'time';
    case 'json':
      return 'json';
  }
}

/** Numbers come back as numbers; PostgreSQL returns bigint and numeric results as strings. */
export function decodeNumber(raw: unknown): number | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'bigint') return Number(raw);
  return Number(raw);
}

const sqlite: SqlDialect = {
  driver: 'sqlite',
  // SQLITE_MAX_VARIABLE_NUMBER of the SQLite bundled with better-sqlite3 (3.32+ default).
  maxParameters: 32766,
  placeholder: () => '?',
  tableColumnType(type, length) {
    switch (type) {
      case 'string':
        return length === undefined ? { type: 'varchar' } : { type: 'varchar', length: String(length) };
      case 'text':
      case 'json':
        return { type: 'text' };
      case 'integer':
        return { type: 'integer' };
      case 'bigint':
      case 'timestamp':
        return { type: 'bigint' };
      case 'float':
        return { type: 'double' };
      case 'boolean':
        return { type: 'boolean' };
    }
  },
  decode(type, raw) {
    if (raw === null || raw === undefined) return null;
    switch (type) {
      case 'integer':
      case 'bigint':
      case 'float':
      case 'timestamp':
        return decodeNumber(raw);
      case 'boolean':
        return raw === 1 || raw === true || raw === '1';
      case 'json':
        return typeof raw === 'string' ? JSON.parse(raw) : raw;
      default:
        return raw;
    }
  },
  timeParameter: (ms) => ms,
  // Stored values are epoch ms; rows are restricted to >= from, so truncation is the floor.
  bucketIndex: (column, from, interval) => `CAST((${column} - ${from}) / ${interval} AS INTEGER)`,
  lateralJoins: false,
  bucketSeries: (count) => ({
    prefix: `WITH RECURSIVE "buckets"("i") AS (SELECT 0 UNION ALL SELECT "i" + 1 FROM "buckets" WHERE "i" + 1 < ${count}) `,
    from: '"buckets"',
  }),
  bucketStart: (from, index, width) => `(${from} + ${index} * ${width})`,
  // Every SQLite index is a b-tree; identifiers match case-insensitively.
  leadingIndexQuery: (table, column) => ({
    sql:
      'SELECT 1 AS "found" FROM pragma_index_list(?) AS "l" JOIN pragma_index_info("l"."name") AS "c" ' +
      'WHERE "c"."seqno" = 0 AND lower("c"."name") = lower(?) AND "l"."partial" = 0 LIMIT 1',
    parameters: [table.table, column],
  }),
};

const postgres: SqlDialect = {
  driver: 'postgres',
  // The wire protocol counts parameters in an Int16.
  maxParameters: 65535,
  placeholder: (index) => `$${index + 1}`,
  tableColumnType(type, length) {
    switch (type) {
      case 'string':
        return length === undefined ? { type: 'character varying' } : { type: 'character varying', length: String(length) };
      case 'text':
        return { type: 'text' };
      case 'integer':
        return { type: 'integer' };
      case 'bigint':
        return { type: 'bigint' };
      case 'float':
        return { type: 'double precision' };
      case 'boolean':
        return { type: 'boolean' };
      case 'timestamp':
        return { type: 'timestamp with time zone' };
      case 'json':
        return { type: 'jsonb' };
    }
  },
  decode(type, raw) {
    if (raw === null || raw === undefined) return null;
    switch (type) {
      case 'integer':
      case 'bigint':
      case 'float':
        return decodeNumber(raw);
      case 'timestamp':
        return raw instanceof Date ? raw.getTime() : Date.parse(String(raw));
      case 'boolean':
        return raw === true || raw === 't' || raw === 'true';
      default:
        return raw;
    }
  },
  timeParameter: (ms) => new Date(ms).toISOString(),
  bucketIndex: (column, from, interval) =>
    `floor((extract(epoch from ${column}) * 1000 - ${from}::numeric) / ${interval}::numeric)`,
  lateralJoins: true,
  bucketSeries: (count) => ({ prefix: '', from: `generate_series(0, ${count}::integer - 1) AS "i"` }),
  // Exact: timestamptz and interval are integer microseconds; the width is whole milliseconds.
  bucketStart: (from, index, width) => `(${from}::timestamptz + ${index} * ${width}::bigint * interval '1 millisecond')`,
  leadingIndexQuery: (table, column) => ({
    sql:
      'SELECT 1 AS "found" FROM pg_index AS "x" ' +
      'JOIN pg_attribute AS "a" ON "a"."attrelid" = "x"."indrelid" AND "a"."attnum" = "x"."indkey"[0] ' +
      'JOIN pg_class AS "c" ON "c"."oid" = "x"."indexrelid" JOIN pg_am AS "m" ON "m"."oid" = "c"."relam" ' +
      'WHERE "x"."indrelid" = to_regclass($1) AND "a"."attname" = $2 AND "x"."indpred" IS NULL AND "x"."indisvalid" AND "m"."amname" = \'btree\' LIMIT 1',
    parameters: [(table.schema ? `${quoteIdentifier(table.schema)}.` : '') + quoteIdentifier(table.table), column],
  }),
};

export function dialectFor(driver: SqlDriverName): SqlDialect {
  return driver === 'sqlite' ? sqlite : postgres;
}
