import type { ColumnDescription, DatasetDescription, QueryFilter } from '@sluice/sdk';
import { QueryRequestError } from '../query-errors.js';

/** One of Grafana's ad hoc filters, as a dashboard sends it with each query. */
export interface AdhocFilter {
  readonly key: string;
  readonly operator: string;
  readonly value?: string;
  /** The values of the multi-value operators `=|` and `!=|`. */
  readonly values?: readonly string[];
}

const COMPARISONS = new Set(['=', '!=', '<', '<=', '>', '>=']);

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * The ad hoc filters of a query request: `adhocFilters` (SimpleJSON, older Grafana) or `filters`
 * (what Grafana 10+ sends); each `{ key, operator, value }`, or `values` for `=|` / `!=|`.
 */
export function parseAdhocFilters(body: Record<string, unknown>): AdhocFilter[] {
  const field = body.adhocFilters !== undefined && body.adhocFilters !== null ? 'adhocFilters' : 'filters';
  const raw = body[field];
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new QueryRequestError(`${field} must be a list of { key, operator, value }`);
  return raw.map((item, i) => {
    const where = `${field}[${i}]`;
    if (!isMapping(item)) throw new QueryRequestError(`${where} must be an object { key, operator, value }`);
    if (typeof item.key !== 'string' || item.key === '') throw new QueryRequestError(`${where}.key is required (the column to filter on)`);
    if (typeof item.operator !== 'string' || item.operator === '') throw new QueryRequestError(`${where}.operator is required (=, !=, <, <=, >, >=, =| or !=|)`);
    const value = text(item.value);
    const values = Array.isArray(item.values) ? item.values.map(text) : undefined;
    if (values?.some((v) => v === undefined)) throw new QueryRequestError(`${where}.values must be a list of strings`);
    if (value === undefined && values === undefined) throw new QueryRequestError(`${where}.value is required`);
    return { key: item.key, operator: item.operator, ...(value === undefined ? {} : { value }), ...(values === undefined ? {} : { values: values as string[] }) };
  });
}

/** A filter value typed like its column: Grafana sends every value as text. */
function typed(value: string, column: ColumnDescription, where: string): string | number | boolean {
  switch (column.type) {
    case 'number': {
      const number = value.trim() === '' ? Number.NaN : Number(value);
      if (!Number.isFinite(number)) throw new QueryRequestError(`${where}: "${value}" is not a number, and column "${column.name}" holds numbers`);
      return number;
    }
    case 'boolean':
      if (value === 'true' || value === 'false') return value === 'true';
      throw new QueryRequestError(`${where}: column "${column.name}" holds booleans: use true or false, not "${value}"`);
    case 'time': {
      const ms = /^-?\d+$/.test(value.trim()) ? Number(value) : Date.parse(value);
      if (!Number.isFinite(ms)) throw new QueryRequestError(`${where}: "${value}" is not a time (epoch ms or ISO 8601) for column "${column.name}"`);
      return ms;
    }
    case 'json':
      throw new QueryRequestError(`${where}: json column "${column.name}" cannot be filtered on`);
    default:
      return value;
  }
}

/**
 * The ad hoc filters that apply to `dataset`, as queryable filters with values typed like their
 * columns. A dashboard's ad hoc filters go with every query of the datasource: a filter whose key
 * is not a column of this dataset applies to other datasets and is not part of this query.
 * Operators `=|` / `!=|` become `in` / one `!=` per value; the regex operators `=~` / `!~` have no
 * equivalent in the queryable capability and are refused.
 */
export function adhocFiltersFor(filters: readonly AdhocFilter[], dataset: DatasetDescription | undefined): QueryFilter[] {
  if (filters.length === 0 || !dataset) return [];
  const columns = new Map(dataset.columns.map((c) => [c.name, c]));
  const out: QueryFilter[] = [];
  filters.forEach((filter, i) => {
    const where = `ad hoc filter ${filter.key} ${filter.operator}`;
    const column = columns.get(filter.key);
    if (!column) return;
    if (filter.operator === '=~' || filter.operator === '!~') {
      throw new QueryRequestError(`${where}: regular-expression operators are not supported; use =, !=, <, <=, >, >=, =| or !=|`);
    }
    if (filter.operator === '=|' || filter.operator === '!=|') {
      const values = (filter.values ?? (filter.value === undefined ? [] : [filter.value])).map((v) => typed(v, column, where));
      if (filter.operator === '=|') {
        if (values.some((v) => typeof v === 'boolean')) throw new QueryRequestError(`${where}: boolean column "${column.name}" takes = or !=`);
        out.push({ column: column.name, op: 'in', value: values as Array<string | number> });
      } else for (const value of values) out.push({ column: column.name, op: '!=', value });
      return;
    }
    if (!COMPARISONS.has(filter.operator)) throw new QueryRequestError(`${where}: unknown operator "${filter.operator}" (adhoc filter [${i}]); use =, !=, <, <=, >, >=, =| or !=|`);
    if (filter.value === undefined) throw new QueryRequestError(`${where}: value is required`);
    out.push({ column: column.name, op: filter.operator as QueryFilter['op'], value: typed(filter.value, column, where) });
  });
  return out;
}
