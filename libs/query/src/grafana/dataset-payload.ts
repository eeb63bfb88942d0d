import { didYouMean, type Aggregation, type DatasetDescription } from '@sluice/sdk';
import { QueryRequestError } from '../query-errors.js';
import { specProblems, type QuerySpec } from '../query-spec.js';

/** Rows a dataset table returns when its payload sets no limit. */
export const DEFAULT_TABLE_LIMIT = 1000;

const AGGREGATIONS: readonly Aggregation[] = ['count', 'sum', 'avg', 'min', 'max'];
const PAYLOAD_KEYS = ['kind', 'aggregation', 'value', 'weight', 'groupBy', 'columns', 'limit'] as const;
type PayloadKey = (typeof PAYLOAD_KEYS)[number];
const TIMESERIES_KEYS: readonly PayloadKey[] = ['aggregation', 'value', 'weight', 'groupBy'];
const TABLE_KEYS: readonly PayloadKey[] = ['columns', 'limit'];

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const empty = (value: unknown) => value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);

/**
 * The set entries of a target's payload. The JSON datasource sends `{}` when none was written and,
 * from its builder, every payload with `""` for the ones left blank: those count as not set.
 */
export function payloadEntries(payload: unknown, where: string): Record<string, unknown> {
  if (empty(payload)) return {};
  if (!isMapping(payload)) throw new QueryRequestError(`${where}.payload must be a JSON object, got ${JSON.stringify(payload)}`);
  return Object.fromEntries(Object.entries(payload).filter(([, value]) => !empty(value)));
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new QueryRequestError(`${where} must be a string, got ${JSON.stringify(value)}`);
  return value;
}

function textList(value: unknown, where: string): string[] {
  if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  throw new QueryRequestError(`${where} must be a list of column names (or one comma-separated string)`);
}

function limit(value: unknown, where: string): number {
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 0) throw new QueryRequestError(`${where} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return number;
}

/**
 * The query a `<pipeline>/<dataset>` target runs, from its payload:
 * - `kind`: `timeseries` (the default when the dataset has a time column) or `table`;
 * - time series: `aggregation` (count, the default, sum, avg, min, max), `value` (the aggregated
 *   column), `weight` (only with avg: the column `value` is weighted by), `groupBy` (one series
 *   per value);
 * - table: `columns` (default all), `limit` (default {@link DEFAULT_TABLE_LIMIT}); rows newest first
 *   when the dataset has a time column.
 * Keys of the other kind, unknown keys and unknown columns are 400s.
 */
export function datasetSpec(payload: unknown, dataset: DatasetDescription, where: string): QuerySpec {
  const entries = payloadEntries(payload, where);
  for (const key of Object.keys(entries)) {
    if (PAYLOAD_KEYS.includes(key as PayloadKey)) continue;
    const suggestion = didYouMean(key, PAYLOAD_KEYS);
    throw new QueryRequestError(`${where}.payload: unknown key "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; known: ${PAYLOAD_KEYS.join(', ')}`);
  }
  const kind = entries.kind === undefined ? (dataset.timeColumn ? 'timeseries' : 'table') : entries.kind;
  if (kind !== 'timeseries' && kind !== 'table') throw new QueryRequestError(`${where}.payload.kind must be "timeseries" or "table", got ${JSON.stringify(kind)}`);
  const misplaced = (kind === 'timeseries' ? TABLE_KEYS : TIMESERIES_KEYS).find((key) => key in entries);
  if (misplaced) throw new QueryRequestError(`${where}.payload.${misplaced} only applies to kind ${kind === 'timeseries' ? 'table' : 'timeseries'}`);

  let spec: QuerySpec;
  if (kind === 'timeseries') {
    const aggregation = entries.aggregation === undefined ? 'count' : entries.aggregation;
    if (!AGGREGATIONS.includes(aggregation as Aggregation)) throw new QueryRequestError(`${where}.payload.aggregation must be one of ${AGGREGATIONS.join(', ')}, got ${JSON.stringify(aggregation)}`);
    spec = {
      kind,
      dataset: dataset.name,
      aggregation: aggregation as Aggregation,
      ...(entries.value === undefined || aggregation === 'count' ? {} : { value: text(entries.value, `${where}.payload.value`) }),
      ...(entries.weight === undefined ? {} : { weight: text(entries.weight, `${where}.payload.weight`) }),
      ...(entries.groupBy === undefined ? {} : { groupBy: text(entries.groupBy, `${where}.payload.groupBy`) }),
      filters: [],
    };
  } else {
    spec = {
      kind,
      dataset: dataset.name,
      ...(entries.columns === undefined ? {} : { columns: textList(entries.columns, `${where}.payload.columns`) }),
      ...(dataset.timeColumn ? { orderBy: [{ column: dataset.timeColumn, direction: 'desc' as const }] } : {}),
      limit: entries.limit === undefined ? DEFAULT_TABLE_LIMIT : limit(entries.limit, `${where}.payload.limit`),
      filters: [],
    };
  }
  const problems = specProblems(spec, dataset);
  if (problems.length > 0) throw new QueryRequestError(`${where}.payload: ${problems.join('; ')}`);
  return spec;
}

/** A payload of the JSON datasource's query builder (its `/metrics` answer). */
export interface PayloadDefinition {
  readonly name: PayloadKey;
  readonly label: string;
  readonly type: 'select' | 'multi-select' | 'input';
  readonly placeholder?: string;
  readonly reloadMetric?: boolean;
  readonly options?: ReadonlyArray<{ readonly label: string; readonly value: string }>;
}

const LABELS: Readonly<Record<PayloadKey, string>> = {
  kind: 'Kind',
  aggregation: 'Aggregation',
  value: 'Value column',
  weight: 'Weight column (avg)',
  groupBy: 'Group by',
  columns: 'Columns (table)',
  limit: 'Row limit (table)',
};

/** The options of one payload of a dataset target (`/metric-payload-options`). */
export function payloadOptions(name: unknown, dataset: DatasetDescription): Array<{ label: string; value: string }> {
  const option = (value: string, label = value) => ({ label, value });
  switch (name) {
    case 'kind':
      return [...(dataset.timeColumn ? [option('timeseries', 'Time series')] : []), option('table', 'Table')];
    case 'aggregation':
      return AGGREGATIONS.map((a) => option(a));
    case 'value':
    case 'weight':
      return dataset.columns.filter((c) => c.type === 'number').map((c) => option(c.name));
    case 'groupBy':
      return dataset.columns.filter((c) => c.type !== 'json').map((c) => option(c.name));
    case 'columns':
      return dataset.columns.map((c) => option(c.name));
    case 'limit':
      return [];
    default: {
      const suggestion = typeof name === 'string' ? didYouMean(name, PAYLOAD_KEYS) : undefined;
      throw new QueryRequestError(
        `name must be a payload of the metric (${PAYLOAD_KEYS.join(', ')}), got ${JSON.stringify(name)}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
      );
    }
  }
}

/** The payloads a dataset target offers in the JSON datasource's builder, with their options. */
export function payloadDefinitions(dataset: DatasetDescription): PayloadDefinition[] {
  return PAYLOAD_KEYS.map((name) =>
    name === 'limit'
      ? { name, label: LABELS[name], type: 'input' as const, placeholder: String(DEFAULT_TABLE_LIMIT) }
      : { name, label: LABELS[name], type: name === 'columns' ? ('multi-select' as const) : ('select' as const), options: payloadOptions(name, dataset) },
  );
}
