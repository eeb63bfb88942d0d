import { didYouMean, type Aggregation, type ColumnDescription, type DatasetDescription, type QueryFilter, type TableAggregation } from '@sluice/sdk';

/** A time-bucketed aggregate over a dataset (the bucket width comes with each request). */
export interface TimeSeriesSpec {
  readonly kind: 'timeseries';
  readonly dataset: string;
  readonly aggregation: Aggregation;
  readonly value?: string;
  /** Only with `avg`: the column `value` is weighted by (a weighted average). */
  readonly weight?: string;
  readonly groupBy?: string;
  readonly filters: readonly QueryFilter[];
}

/** Rows of a dataset, or aggregates grouped by `columns`. */
export interface TableSpec {
  readonly kind: 'table';
  readonly dataset: string;
  readonly columns?: readonly string[];
  readonly aggregations?: ReadonlyArray<TableAggregation>;
  readonly orderBy?: ReadonlyArray<{ readonly column: string; readonly direction: 'asc' | 'desc' }>;
  readonly limit?: number;
  /** Restrict to the requested range on the time column: true, false, or unset = when there is one. */
  readonly useTimeRange?: boolean;
  readonly filters: readonly QueryFilter[];
}

/** What the query module asks a queryable sink: a named query from config, or one built from a Grafana target. */
export type QuerySpec = TimeSeriesSpec | TableSpec;

const NUMERIC = new Set<ColumnDescription['type']>(['number']);

/** Whether a table spec reads only the requested range (it needs the dataset's time column then). */
export function restrictsToRange(spec: TableSpec, dataset: DatasetDescription | undefined): boolean {
  return spec.useTimeRange ?? dataset?.timeColumn !== undefined;
}

/**
 * What is wrong with `spec` for `dataset`, as messages naming the field (`value`, `columns[1]`,
 * `filters[0].column`, ...): unknown columns (with a suggestion), columns of the wrong type,
 * a time series over a dataset without a time column. Empty when the spec can run.
 */
export function specProblems(spec: QuerySpec, dataset: DatasetDescription): string[] {
  const problems: string[] = [];
  const byName = new Map(dataset.columns.map((c) => [c.name, c]));
  const known = dataset.columns.map((c) => c.name);
  const column = (name: string, where: string, extra: readonly string[] = []): ColumnDescription | undefined => {
    const found = byName.get(name);
    if (found) return found;
    if (extra.includes(name)) return undefined;
    const suggestion = didYouMean(name, [...known, ...extra]);
    problems.push(`${where}: unknown column "${name}" in dataset "${dataset.name}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; its columns: ${known.join(', ')}`);
    return undefined;
  };

  if (spec.kind === 'timeseries') {
    if (!dataset.timeColumn) problems.push(`dataset "${dataset.name}" has no time column, so it cannot be read as a time series (use kind: table)`);
    if (spec.aggregation !== 'count') {
      if (!spec.value) problems.push(`value: aggregation "${spec.aggregation}" needs the column it aggregates`);
      else {
        const value = column(spec.value, 'value');
        if (value && !NUMERIC.has(value.type)) problems.push(`value: column "${value.name}" is ${value.type}; "${spec.aggregation}" needs a number column`);
      }
    }
    if (spec.weight !== undefined) {
      if (spec.aggregation !== 'avg') problems.push(`weight: only applies to aggregation "avg" (a weighted average), not "${spec.aggregation}"`);
      else {
        const weight = column(spec.weight, 'weight');
        if (weight && !NUMERIC.has(weight.type)) problems.push(`weight: column "${weight.name}" is ${weight.type}; a weighted average needs a number column`);
      }
    }
    if (spec.groupBy) {
      const group = column(spec.groupBy, 'groupBy');
      if (group?.type === 'json') problems.push(`groupBy: column "${group.name}" is json and cannot be grouped on`);
    }
  } else {
    const aggregations = spec.aggregations ?? [];
    const aliases = aggregations.map((a) => a.as);
    const grouped = new Set<string>();
    (spec.columns ?? []).forEach((name, i) => {
      const found = column(name, `columns[${i}]`);
      if (found && aggregations.length > 0) {
        if (found.type === 'json') problems.push(`columns[${i}]: column "${name}" is json and cannot be grouped on`);
        grouped.add(found.name);
      }
    });
    aggregations.forEach((aggregation, i) => {
      const where = `aggregations[${i}]`;
      if (aggregation.weight !== undefined && aggregation.fn !== 'avg') problems.push(`${where}: weight only applies to fn "avg" (a weighted average), not "${aggregation.fn}"`);
      if (!aggregation.column) {
        if (aggregation.fn !== 'count') problems.push(`${where}: "${aggregation.fn}" needs a column`);
        return;
      }
      const found = column(aggregation.column, `${where}.column`);
      if (!found) return;
      if ((aggregation.fn === 'sum' || aggregation.fn === 'avg') && !NUMERIC.has(found.type)) {
        problems.push(`${where}: "${aggregation.fn}" needs a number column, "${found.name}" is ${found.type}`);
      } else if ((aggregation.fn === 'min' || aggregation.fn === 'max') && (found.type === 'json' || found.type === 'boolean')) {
        problems.push(`${where}: "${aggregation.fn}" cannot compare the values of ${found.type} column "${found.name}"`);
      }
      if (aggregation.weight !== undefined && aggregation.fn === 'avg') {
        const weight = column(aggregation.weight, `${where}.weight`);
        if (weight && !NUMERIC.has(weight.type)) problems.push(`${where}: a weighted average needs a number weight column, "${weight.name}" is ${weight.type}`);
      }
    });
    (spec.orderBy ?? []).forEach((order, i) => {
      const found = column(order.column, `orderBy[${i}].column`, aliases);
      if (found && aggregations.length > 0 && !grouped.has(found.name)) {
        problems.push(`orderBy[${i}]: "${found.name}" is neither a grouped column nor an aggregation of this query`);
      }
    });
    if (spec.useTimeRange === true && !dataset.timeColumn) problems.push(`useTimeRange: dataset "${dataset.name}" has no time column to restrict`);
  }
  spec.filters.forEach((filter, i) => {
    const found = column(filter.column, `filters[${i}].column`);
    if (found?.type === 'json') problems.push(`filters[${i}]: json column "${found.name}" cannot be filtered on`);
  });
  return problems;
}
