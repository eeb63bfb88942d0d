import type { ColumnDescription } from '@sluice/sdk';
import type { QueryOutcome, SeriesPoint, TableOutcome, TimeSeriesOutcome } from './query-runner.js';

/** A time series as both Grafana JSON datasources read it: `[value, epochMs]` pairs, ascending. */
export interface GrafanaSeries {
  readonly target: string;
  readonly datapoints: readonly SeriesPoint[];
  readonly refId?: string;
}

/** A table as both Grafana JSON datasources read it. */
export interface GrafanaTable {
  readonly type: 'table';
  readonly columns: ReadonlyArray<{ readonly text: string; readonly type: string }>;
  readonly rows: ReadonlyArray<readonly unknown[]>;
  readonly refId?: string;
}

/** Column types as Grafana names them; json values travel as JSON text. */
function grafanaType(type: ColumnDescription['type']): string {
  return type === 'json' ? 'string' : type;
}

function cell(type: ColumnDescription['type'], value: unknown): unknown {
  return type === 'json' && value !== null && value !== undefined ? JSON.stringify(value) : value;
}

/**
 * The series of a time-series outcome for one Grafana target. A single (ungrouped) series is named
 * after the target; grouped series after their group value, as the datasource shows them in the legend.
 */
export function toGrafanaSeries(outcome: TimeSeriesOutcome, target: string, refId?: string): GrafanaSeries[] {
  return outcome.series.map((s) => ({ target: outcome.grouped ? s.name : target, datapoints: s.points, ...(refId === undefined ? {} : { refId }) }));
}

/** A table outcome as a Grafana table. */
export function toGrafanaTable(table: { readonly columns: readonly ColumnDescription[]; readonly rows: ReadonlyArray<readonly unknown[]> }, refId?: string): GrafanaTable {
  const types = table.columns.map((c) => c.type);
  const hasJson = types.includes('json');
  return {
    type: 'table',
    columns: table.columns.map((c) => ({ text: c.name, type: grafanaType(c.type) })),
    rows: hasJson ? table.rows.map((row) => row.map((value, i) => cell(types[i]!, value))) : table.rows,
    ...(refId === undefined ? {} : { refId }),
  };
}

/**
 * A time series as a wide table: a `Time` column, then one number column per series (named like
 * {@link toGrafanaSeries} names them); one row per bucket holding a point, ascending, null where a
 * series has no point at that time.
 */
export function seriesToTable(outcome: TimeSeriesOutcome, target: string): Pick<TableOutcome, 'columns' | 'rows'> {
  const names = outcome.series.map((s) => (outcome.grouped ? s.name : target));
  const times = new Map<number, Array<number | null>>();
  outcome.series.forEach((series, index) => {
    for (const [value, time] of series.points) {
      let row = times.get(time);
      if (!row) times.set(time, (row = new Array<number | null>(names.length).fill(null)));
      row[index] = value;
    }
  });
  return {
    columns: [{ name: 'Time', type: 'time' }, ...names.map((name) => ({ name, type: 'number' as const }))],
    rows: [...times].sort((a, b) => a[0] - b[0]).map(([time, values]) => [time, ...values]),
  };
}

/**
 * Plain JSON rows for Grafana's Infinity datasource (JSON type, any parser): one object per row,
 * keyed by column name. A time series comes wide, as {@link seriesToTable}: `{ "Time": epochMs,
 * "<series>": value, ... }`, ascending.
 */
export function toRows(outcome: QueryOutcome, target: string): Array<Record<string, unknown>> {
  const table = outcome.kind === 'timeseries' ? seriesToTable(outcome, target) : outcome;
  return table.rows.map((row) => Object.fromEntries(table.columns.map((c, i) => [c.name, row[i]])));
}

/** The REST body of a named query's result (GET /api/queries/:name). */
export function toRestBody(name: string, outcome: QueryOutcome): Record<string, unknown> {
  if (outcome.kind === 'timeseries') {
    return { name, kind: 'timeseries', from: outcome.from, to: outcome.to, intervalMs: outcome.intervalMs, series: outcome.series };
  }
  return { name, kind: 'table', ...(outcome.range ? { from: outcome.range.from, to: outcome.range.to } : {}), columns: outcome.columns, rows: outcome.rows };
}

/** A SimpleJSON annotation. */
export interface GrafanaAnnotation {
  readonly annotation: unknown;
  readonly time: number;
  readonly title: string;
  readonly text?: string;
  readonly tags?: readonly string[];
}

function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * Rows as SimpleJSON annotations, ascending in time. The time is the first `time` column (none: a
 * 400 for the caller to report); the title the `title` column, else the first string column,
 * else `fallbackTitle`; the text the `text` column, else the other columns as `name: value`;
 * tags the `tags` column (a list, or comma-separated text), when there is one. Rows outside
 * `window` are not annotations of this range.
 */
export function toAnnotations(
  table: { readonly columns: readonly ColumnDescription[]; readonly rows: ReadonlyArray<readonly unknown[]> },
  annotation: unknown,
  fallbackTitle: string,
  window: { readonly from: number; readonly to: number },
): GrafanaAnnotation[] | null {
  const index = (name: string) => table.columns.findIndex((c) => c.name === name);
  const timeAt = table.columns.findIndex((c) => c.type === 'time');
  if (timeAt < 0) return null;
  const titleAt = index('title') >= 0 ? index('title') : table.columns.findIndex((c, i) => i !== timeAt && c.type === 'string');
  const textAt = index('text');
  const tagsAt = index('tags');
  const used = new Set([timeAt, titleAt, textAt, tagsAt]);
  const annotations: GrafanaAnnotation[] = [];
  for (const row of table.rows) {
    const time = row[timeAt];
    if (typeof time !== 'number' || time < window.from || time > window.to) continue;
    const title = titleAt >= 0 ? asText(row[titleAt]) : fallbackTitle;
    const text =
      textAt >= 0
        ? asText(row[textAt])
        : table.columns
            .map((c, i) => (used.has(i) ? undefined : `${c.name}: ${asText(row[i])}`))
            .filter((part): part is string => part !== undefined)
            .join(', ');
    const rawTags = tagsAt >= 0 ? row[tagsAt] : undefined;
    const tags = Array.isArray(rawTags) ? rawTags.map(asText) : typeof rawTags === 'string' ? rawTags.split(',').map((t) => t.trim()).filter((t) => t !== '') : undefined;
    annotations.push({ annotation, time, title, ...(text === '' ? {} : { text }), ...(tags === undefined ? {} : { tags }) });
  }
  return annotations.sort((a, b) => a.time - b.time);
}
