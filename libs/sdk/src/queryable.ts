import { didYouMean } from './config-validation.js';

/** Column types a queryable plugin reports. */
export type ColumnType = 'number' | 'string' | 'boolean' | 'time' | 'json';

export interface ColumnDescription {
  readonly name: string;
  readonly type: ColumnType;
}

/** One dataset (table, file set, ...) a queryable plugin can read. */
export interface DatasetDescription {
  readonly name: string;
  readonly columns: readonly ColumnDescription[];
  /** The column holding event time, when the dataset has one: time-series queries bucket on it. */
  readonly timeColumn?: string;
  /** The key column(s), when known. */
  readonly keyColumns?: readonly string[];
}

export type Aggregation = 'count' | 'sum' | 'avg' | 'min' | 'max';

export interface QueryFilter {
  readonly column: string;
  readonly op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'in';
  readonly value: string | number | boolean | null | ReadonlyArray<string | number>;
}

/** A time-bucketed aggregate over `[from, to]` (epoch ms, inclusive). */
export interface TimeSeriesQuery {
  readonly dataset: string;
  /** The column to aggregate; ignored for `count`. */
  readonly value?: string;
  readonly aggregation: Aggregation;
  /**
   * Only with aggregation `avg`: the average of `value` weighted by this numeric column, i.e.
   * SUM(value·weight) / SUM(weight) over the bucket's rows where neither is null (null when that
   * SUM(weight) is 0 or no row is left). Exact averages over pre-aggregated rows (a `value_avg`
   * weighted by its `points`). Implementations reject it with any other aggregation.
   */
  readonly weight?: string;
  readonly from: number;
  readonly to: number;
  /** Bucket width in ms (> 0). */
  readonly intervalMs: number;
  /** One series per distinct value of this column. */
  readonly groupBy?: string;
  readonly filters?: readonly QueryFilter[];
}

/** A named series of `[value, epochMs]` points, in ascending time, each bucket start within range. */
export interface TimeSeries {
  readonly name: string;
  readonly points: ReadonlyArray<readonly [number | null, number]>;
}

/** One aggregate column of a {@link TableQuery}. */
export interface TableAggregation {
  /** The aggregated column; not needed for `count` (which then counts rows). */
  readonly column?: string;
  readonly fn: Aggregation;
  /** Only with fn `avg`: the average of `column` weighted by this numeric column (as {@link TimeSeriesQuery.weight}). */
  readonly weight?: string;
  /** Name of the result column. */
  readonly as: string;
}

export interface TableQuery {
  readonly dataset: string;
  /** Plain columns to select (default: all), or group-by columns when `aggregations` is set. */
  readonly columns?: readonly string[];
  readonly aggregations?: ReadonlyArray<TableAggregation>;
  /** Restricts to `[from, to]` on the dataset's time column, when both are given. */
  readonly from?: number;
  readonly to?: number;
  readonly filters?: readonly QueryFilter[];
  readonly orderBy?: ReadonlyArray<{ readonly column: string; readonly direction: 'asc' | 'desc' }>;
  readonly limit?: number;
}

export interface TableResult {
  readonly columns: readonly ColumnDescription[];
  readonly rows: ReadonlyArray<readonly unknown[]>;
}

/**
 * A plugin (usually a sink) whose stored data can be read back: the query module and the Grafana
 * endpoints are built only on this.
 */
export interface Queryable {
  listDatasets(): Promise<readonly DatasetDescription[]>;
  queryTimeSeries(query: TimeSeriesQuery): Promise<readonly TimeSeries[]>;
  queryTable(query: TableQuery): Promise<TableResult>;
}

export function isQueryable(value: unknown): value is Queryable {
  const candidate = value as Partial<Queryable> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.listDatasets === 'function' &&
    typeof candidate.queryTimeSeries === 'function' &&
    typeof candidate.queryTable === 'function'
  );
}

/**
 * A query the dataset cannot answer (an unknown column, a wrong type, a bad range): the caller's
 * mistake, which the query module answers with a 400 and this message. Queryable plugins throw it
 * (the query module also recognises any error named `InvalidQueryError`).
 */
export class InvalidQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidQueryError';
  }
}

/** The {@link InvalidQueryError} for a column `name` the dataset does not have, with a did-you-mean among `known`. */
export function unknownColumnError(where: string, name: unknown, dataset: string, known: readonly string[]): InvalidQueryError {
  const suggestion = typeof name === 'string' ? didYouMean(name, known) : undefined;
  return new InvalidQueryError(`${where}: unknown column ${JSON.stringify(name)} in dataset "${dataset}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; columns: ${known.join(', ')}`);
}
