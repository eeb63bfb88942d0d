import { Logger } from '@nestjs/common';
import type { ColumnDescription, DatasetDescription, Queryable, QueryFilter, TimeSeries } from '@sluice/sdk';
import { restrictsToRange, type QuerySpec } from './query-spec.js';
import type { TimeWindow } from './time-range.js';

/** A point of a series: `[value, epochMs]`. */
export type SeriesPoint = readonly [number | null, number];

export interface TimeSeriesOutcome {
  readonly kind: 'timeseries';
  readonly from: number;
  readonly to: number;
  readonly intervalMs: number;
  /** Whether the spec groups (one series per value of a column) or yields one series. */
  readonly grouped: boolean;
  readonly series: ReadonlyArray<{ readonly name: string; readonly points: readonly SeriesPoint[] }>;
}

export interface TableOutcome {
  readonly kind: 'table';
  /** The range the rows were restricted to (absent: all rows). */
  readonly range?: TimeWindow;
  readonly columns: readonly ColumnDescription[];
  readonly rows: ReadonlyArray<readonly unknown[]>;
}

/** The answer of a queryable sink to a spec, ready for formatting. */
export type QueryOutcome = TimeSeriesOutcome | TableOutcome;

const logger = new Logger('QueryModule');

/**
 * The points of `series` in ascending time and inside `[from, to]`: what Grafana and the REST API
 * promise. A queryable plugin is asked for exactly that; one that answers out of order is sorted,
 * and points outside the range (a plugin bug) are left out with a warning.
 */
export function pointsInWindow(series: TimeSeries, window: TimeWindow, source: string): SeriesPoint[] {
  let points: SeriesPoint[] = [...series.points];
  let ascending = true;
  for (let i = 1; i < points.length && ascending; i++) ascending = points[i - 1]![1] <= points[i]![1];
  if (!ascending) points.sort((a, b) => a[1] - b[1]);
  const inside = points.filter(([, time]) => time >= window.from && time <= window.to);
  if (inside.length !== points.length) {
    logger.warn(`${source}: the sink returned ${points.length - inside.length} point(s) of series "${series.name}" outside the requested range; they are left out`);
    points = inside;
  }
  return points;
}

/**
 * Runs `spec` on `queryable` for `window`, with `extraFilters` (Grafana's ad hoc filters) added to
 * the spec's own. A time series is bucketed `intervalMs` wide; a table is restricted to the window
 * when {@link restrictsToRange} says so. `dataset` is the dataset's description when known (it
 * decides whether a table has a time column to restrict).
 */
export async function runQuery(
  queryable: Queryable,
  spec: QuerySpec,
  dataset: DatasetDescription | undefined,
  window: TimeWindow & { readonly intervalMs: number },
  extraFilters: readonly QueryFilter[] = [],
  source: string = spec.dataset,
): Promise<QueryOutcome> {
  const filters = [...spec.filters, ...extraFilters];
  if (spec.kind === 'timeseries') {
    const series = await queryable.queryTimeSeries({
      dataset: spec.dataset,
      aggregation: spec.aggregation,
      ...(spec.value === undefined || spec.aggregation === 'count' ? {} : { value: spec.value }),
      ...(spec.weight === undefined ? {} : { weight: spec.weight }),
      ...(spec.groupBy === undefined ? {} : { groupBy: spec.groupBy }),
      from: window.from,
      to: window.to,
      intervalMs: window.intervalMs,
      ...(filters.length > 0 ? { filters } : {}),
    });
    return {
      kind: 'timeseries',
      from: window.from,
      to: window.to,
      intervalMs: window.intervalMs,
      grouped: spec.groupBy !== undefined,
      series: series.map((s) => ({ name: s.name, points: pointsInWindow(s, window, source) })),
    };
  }
  const range = restrictsToRange(spec, dataset) ? { from: window.from, to: window.to } : undefined;
  const table = await queryable.queryTable({
    dataset: spec.dataset,
    ...(spec.columns === undefined ? {} : { columns: spec.columns }),
    ...(spec.aggregations === undefined ? {} : { aggregations: spec.aggregations }),
    ...(spec.orderBy === undefined ? {} : { orderBy: spec.orderBy }),
    ...(spec.limit === undefined ? {} : { limit: spec.limit }),
    ...(range ?? {}),
    ...(filters.length > 0 ? { filters } : {}),
  });
  return { kind: 'table', ...(range ? { range } : {}), columns: table.columns, rows: table.rows };
}
