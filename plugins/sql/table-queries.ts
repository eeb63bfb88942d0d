import {
  InvalidQueryError,
  unknownColumnError,
  type Aggregation,
  type ColumnDescription,
  type DatasetDescription,
  type QueryFilter,
  type TableQuery,
  type TableResult,
  type TimeSeries,
  type TimeSeriesQuery,
} from '@sluice/sdk';
import { columnEncoder, ColumnValueError, type ColumnEncoder } from './column-value.js';
import { decodeNumber, describedType, quoteIdentifier, type SqlDialect } from './sql-dialect.js';
import { SqlParameters } from './sql-parameters.js';
import { timeSeriesStatement } from './time-series-statement.js';
import { weightedAverageSql } from './weighted-average.js';
import type { SqlColumn, TableDefinition } from './table-schema.js';

/** Runs a read statement and returns its rows. */
export type RunQuery = (sql: string, parameters: unknown[]) => Promise<Array<Record<string, unknown>>>;

const AGGREGATIONS: readonly Aggregation[] = ['count', 'sum', 'avg', 'min', 'max'];
const OPERATORS: ReadonlyArray<QueryFilter['op']> = ['=', '!=', '<', '<=', '>', '>=', 'in'];
const NUMERIC = new Set(['integer', 'bigint', 'float']);

/** A query the table cannot answer (unknown column, wrong type, bad range): the caller's mistake. */
export { InvalidQueryError };

/**
 * The read side of the sink (the SDK's `Queryable`) for its one table. Every identifier in a query
 * is looked up among the declared columns and quoted from the declaration; every value travels as a
 * bind parameter. Aggregation and bucketing run in the database.
 */
export class TableQueries {
  private readonly byName: ReadonlyMap<string, SqlColumn>;
  private readonly encoders = new Map<string, ColumnEncoder>();
  /**
   * Whether the time column leads an index of the table, so that time series may be read bucket by
   * bucket through it (set by the sink once it has looked at the table; false until then).
   */
  timeIndexed = false;

  constructor(
    private readonly dialect: SqlDialect,
    private readonly definition: TableDefinition,
    private readonly tableSql: string,
    private readonly run: RunQuery,
  ) {
    this.byName = new Map(definition.columns.map((c) => [c.name, c]));
  }

  describe(): DatasetDescription {
    return {
      name: this.definition.table,
      columns: this.definition.columns.map((c) => ({ name: c.name, type: describedType(c.type) })),
      ...(this.definition.timeColumn ? { timeColumn: this.definition.timeColumn } : {}),
      ...(this.definition.key.length > 0 ? { keyColumns: [...this.definition.key] } : {}),
    };
  }

  /**
   * Buckets are `intervalMs` wide and anchored at `from`: bucket i covers
   * [from + i·intervalMs, from + (i+1)·intervalMs), so every bucket start lies within [from, to].
   * Only buckets holding rows are returned (no gap filling), in ascending time. How the database
   * reads the range (bucket by bucket through the time index, or one scan grouped by bucket) is
   * `timeSeriesStatement`'s choice.
   */
  async timeSeries(query: TimeSeriesQuery): Promise<TimeSeries[]> {
    this.checkDataset(query.dataset);
    const timeColumn = this.requireTimeColumn();
    checkAggregation(query.aggregation, 'aggregation');
    checkRange(query.from, query.to, true);
    if (typeof query.intervalMs !== 'number' || !Number.isFinite(query.intervalMs) || query.intervalMs <= 0) {
      throw new InvalidQueryError(`intervalMs must be a positive number of milliseconds, got ${String(query.intervalMs)}`);
    }
    if (query.weight !== undefined && query.aggregation !== 'avg') {
      throw new InvalidQueryError(`weight only applies to aggregation "avg" (a weighted average), not "${query.aggregation}"`);
    }
    let valueSql = 'COUNT(*)';
    let valueColumn: SqlColumn | undefined;
    let weightColumn: SqlColumn | undefined;
    if (query.aggregation !== 'count') {
      if (!query.value) throw new InvalidQueryError(`aggregation "${query.aggregation}" needs a value column`);
      valueColumn = this.column(query.value, 'value');
      if (!NUMERIC.has(valueColumn.type)) {
        throw new InvalidQueryError(`value column "${valueColumn.name}" is ${valueColumn.type}; "${query.aggregation}" needs a number column (integer, bigint or float)`);
      }
      valueSql = `${query.aggregation.toUpperCase()}(${quoteIdentifier(valueColumn.name)})`;
      if (query.weight !== undefined) {
        weightColumn = this.column(query.weight, 'weight');
        if (!NUMERIC.has(weightColumn.type)) {
          throw new InvalidQueryError(`weight column "${weightColumn.name}" is ${weightColumn.type}; a weighted average needs a number column (integer, bigint or float)`);
        }
        valueSql = weightedAverageSql(quoteIdentifier(valueColumn.name), quoteIdentifier(weightColumn.name));
      }
    }
    const group = query.groupBy ? this.column(query.groupBy, 'groupBy') : undefined;
    if (group?.type === 'json') throw new InvalidQueryError(`groupBy column "${group.name}" is json and cannot be grouped on`);

    const statement = timeSeriesStatement(this.dialect, {
      tableSql: this.tableSql,
      timeSql: quoteIdentifier(timeColumn.name),
      valueSql,
      counts: valueColumn === undefined,
      // A weighted average is NULL also over rows (weights adding up to 0).
      valueNullable: (valueColumn?.nullable ?? false) || weightColumn !== undefined,
      ...(group ? { groupSql: quoteIdentifier(group.name) } : {}),
      from: query.from,
      to: query.to,
      intervalMs: query.intervalMs,
      filters: (params) => this.filters(query.filters, params),
      timeIndexed: this.timeIndexed,
    });
    let rows = await this.run(statement.sql, statement.parameters);
    // Rows of empty buckets (seek plan on SQLite): a count of 0, or NULL for an aggregate of a NOT NULL column.
    if (statement.emptyBuckets) rows = rows.filter((row) => (valueColumn === undefined ? decodeNumber(row.v) !== 0 : row.v !== null && row.v !== undefined));

    const seriesName = query.aggregation === 'count' ? 'count' : `${query.aggregation}(${query.value})`;
    const series = new Map<string, Array<readonly [number | null, number]>>();
    if (!group) series.set(seriesName, []);
    for (const row of rows) {
      const name = group ? groupName(this.dialect.decode(group.type, row.g)) : seriesName;
      let points = series.get(name);
      if (!points) series.set(name, (points = []));
      points.push([decodeNumber(row.v), query.from + Number(row.b) * query.intervalMs]);
    }
    return [...series].map(([name, points]) => ({ name, points }));
  }

  /**
   * Plain rows (`columns`, default all) or, with `aggregations`, one row per distinct combination of
   * `columns` (none: one row over everything). `from`/`to` restrict the time column (either bound
   * may be given alone). `orderBy` names columns or aggregation aliases. Values come back as JSON:
   * timestamps as epoch ms, json columns parsed, booleans as booleans.
   */
  async table(query: TableQuery): Promise<TableResult> {
    this.checkDataset(query.dataset);
    const params = new SqlParameters(this.dialect);
    const aggregations = query.aggregations ?? [];
    const outputs: Array<{ sql: string; description: ColumnDescription; decode: (raw: unknown) => unknown }> = [];
    const aliases = new Map<string, string>(); // aggregation `as` → output alias
    const groupColumns = new Set<string>();

    const plain = query.columns ?? (aggregations.length > 0 ? [] : this.definition.columns.map((c) => c.name));
    for (const name of plain) {
      const column = this.column(name, 'columns');
      if (aggregations.length > 0) {
        if (column.type === 'json') throw new InvalidQueryError(`column "${name}" is json and cannot be grouped on`);
        groupColumns.add(column.name);
      }
      outputs.push({
        sql: quoteIdentifier(column.name),
        description: { name: column.name, type: describedType(column.type) },
        decode: (raw) => this.dialect.decode(column.type, raw),
      });
    }
    for (const [index, aggregation] of aggregations.entries()) {
      const where = `aggregations[${index}]`;
      checkAggregation(aggregation.fn, `${where}.fn`);
      if (typeof aggregation.as !== 'string' || aggregation.as.length === 0) throw new InvalidQueryError(`${where}.as must be a non-empty name`);
      if (aliases.has(aggregation.as) || groupColumns.has(aggregation.as)) throw new InvalidQueryError(`${where}.as "${aggregation.as}" is used twice`);
      if (aggregation.weight !== undefined && aggregation.fn !== 'avg') {
        throw new InvalidQueryError(`${where}: weight only applies to fn "avg" (a weighted average), not "${aggregation.fn}"`);
      }
      let sql: string;
      let decode: (raw: unknown) => unknown = decodeNumber;
      let type: ColumnDescription['type'] = 'number';
      if (aggregation.fn === 'count' && !aggregation.column) sql = 'COUNT(*)';
      else {
        if (!aggregation.column) throw new InvalidQueryError(`${where}: "${aggregation.fn}" needs a column`);
        const column = this.column(aggregation.column, `${where}.column`);
        const name = quoteIdentifier(column.name);
        if (aggregation.fn === 'count') sql = `COUNT(${name})`;
        else if (aggregation.fn === 'sum' || aggregation.fn === 'avg') {
          if (!NUMERIC.has(column.type)) throw new InvalidQueryError(`${where}: "${aggregation.fn}" needs a number column, "${column.name}" is ${column.type}`);
          sql = `${aggregation.fn.toUpperCase()}(${name})`;
          if (aggregation.weight !== undefined) {
            const weight = this.column(aggregation.weight, `${where}.weight`);
            if (!NUMERIC.has(weight.type)) throw new InvalidQueryError(`${where}: a weighted average needs a number weight column, "${weight.name}" is ${weight.type}`);
            sql = weightedAverageSql(name, quoteIdentifier(weight.name));
          }
        } else {
          if (column.type === 'json' || column.type === 'boolean') {
            throw new InvalidQueryError(`${where}: "${aggregation.fn}" cannot compare values of ${column.type} column "${column.name}"`);
          }
          sql = `${aggregation.fn.toUpperCase()}(${name})`;
          decode = (raw) => this.dialect.decode(column.type, raw);
          type = describedType(column.type);
        }
      }
      aliases.set(aggregation.as, `c${outputs.length}`);
      outputs.push({ sql, description: { name: aggregation.as, type }, decode });
    }
    if (outputs.length === 0) throw new InvalidQueryError('the query selects nothing: give columns or aggregations');

    const select = outputs.map((o, i) => `${o.sql} AS "c${i}"`).join(', ');
    const conditions: string[] = [];
    if (query.from !== undefined || query.to !== undefined) {
      const time = quoteIdentifier(this.requireTimeColumn().name);
      checkRange(query.from, query.to, false);
      if (query.from !== undefined) conditions.push(`${time} >= ${params.add(this.dialect.timeParameter(query.from))}`);
      if (query.to !== undefined) conditions.push(`${time} <= ${params.add(this.dialect.timeParameter(query.to))}`);
    }
    conditions.push(...this.filters(query.filters, params));
    let sql = `SELECT ${select} FROM ${this.tableSql}`;
    if (conditions.length > 0) sql += ` WHERE ${conditions.join(' AND ')}`;
    if (aggregations.length > 0 && groupColumns.size > 0) sql += ` GROUP BY ${[...groupColumns].map(quoteIdentifier).join(', ')}`;
    const order = (query.orderBy ?? []).map((o, index) => {
      const where = `orderBy[${index}]`;
      if (o.direction !== 'asc' && o.direction !== 'desc') throw new InvalidQueryError(`${where}.direction must be "asc" or "desc"`);
      const alias = aliases.get(o.column);
      if (alias) return `"${alias}" ${o.direction.toUpperCase()}`;
      const column = this.column(o.column, `${where}.column`, [...aliases.keys()]);
      if (aggregations.length > 0 && !groupColumns.has(column.name)) {
        throw new InvalidQueryError(`${where}: "${column.name}" is neither a grouped column nor an aggregation of this query`);
      }
      return `${quoteIdentifier(column.name)} ${o.direction.toUpperCase()}`;
    });
    if (order.length > 0) sql += ` ORDER BY ${order.join(', ')}`;
    if (query.limit !== undefined) {
      if (!Number.isInteger(query.limit) || query.limit < 0) throw new InvalidQueryError(`limit must be a non-negative integer, got ${String(query.limit)}`);
      sql += ` LIMIT ${params.add(query.limit)}`;
    }
    const rows = await this.run(sql, params.values);
    return {
      columns: outputs.map((o) => o.description),
      rows: rows.map((row) => outputs.map((o, i) => o.decode(row[`c${i}`]))),
    };
  }

  private filters(filters: readonly QueryFilter[] | undefined, params: SqlParameters): string[] {
    return (filters ?? []).map((filter, index) => {
      const where = `filters[${index}]`;
      const column = this.column(filter.column, `${where}.column`);
      if (column.type === 'json') throw new InvalidQueryError(`${where}: json column "${column.name}" cannot be filtered on`);
      if (!OPERATORS.includes(filter.op)) throw new InvalidQueryError(`${where}.op must be one of ${OPERATORS.join(', ')}, got ${String(filter.op)}`);
      const name = quoteIdentifier(column.name);
      if (filter.op === 'in') {
        if (!Array.isArray(filter.value)) throw new InvalidQueryError(`${where}: "in" needs an array value`);
        if (filter.value.length === 0) return '1 = 0';
        return `${name} IN (${filter.value.map((v, i) => params.add(this.filterValue(column, v, `${where}.value[${i}]`))).join(', ')})`;
      }
      if (Array.isArray(filter.value)) throw new InvalidQueryError(`${where}: only "in" takes an array value`);
      if (filter.value === null) {
        if (filter.op === '=') return `${name} IS NULL`;
        if (filter.op === '!=') return `${name} IS NOT NULL`;
        throw new InvalidQueryError(`${where}: null can only be compared with "=" or "!="`);
      }
      return `${name} ${filter.op === '!=' ? '<>' : filter.op} ${params.add(this.filterValue(column, filter.value, `${where}.value`))}`;
    });
  }

  private filterValue(column: SqlColumn, value: unknown, where: string): unknown {
    let encoder = this.encoders.get(column.name);
    if (!encoder) this.encoders.set(column.name, (encoder = columnEncoder(column.type, this.dialect.driver)));
    try {
      return encoder(value);
    } catch (error) {
      if (error instanceof ColumnValueError) throw new InvalidQueryError(`${where} for column "${column.name}": ${error.message}`);
      throw error;
    }
  }

  private column(name: unknown, where: string, extra: readonly string[] = []): SqlColumn {
    const column = typeof name === 'string' ? this.byName.get(name) : undefined;
    if (column) return column;
    throw unknownColumnError(where, name, this.definition.table, [...this.byName.keys(), ...extra]);
  }

  private requireTimeColumn(): SqlColumn {
    if (!this.definition.timeColumn) throw new InvalidQueryError(`dataset "${this.definition.table}" has no time column (set timeColumn in the sink config)`);
    return this.byName.get(this.definition.timeColumn)!;
  }

  private checkDataset(dataset: string): void {
    if (dataset !== this.definition.table) throw new InvalidQueryError(`unknown dataset "${dataset}"; this sink serves "${this.definition.table}"`);
  }
}

function checkAggregation(fn: unknown, where: string): void {
  if (!AGGREGATIONS.includes(fn as Aggregation)) throw new InvalidQueryError(`${where} must be one of ${AGGREGATIONS.join(', ')}, got ${String(fn)}`);
}

function checkRange(from: number | undefined, to: number | undefined, required: boolean): void {
  for (const [name, value] of [['from', from], ['to', to]] as const) {
    if (value === undefined && !required) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidQueryError(`${name} must be epoch milliseconds, got ${String(value)}`);
  }
  if (from !== undefined && to !== undefined && from > to) throw new InvalidQueryError(`from (${from}) is after to (${to})`);
}

function groupName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  return typeof value === 'string' ? value : String(value);
}
