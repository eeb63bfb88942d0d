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
import { describedType, isCollection, isNumericType } from './cql-type.js';
import { cqlDecoder, cqlEncoder, CqlValueError, type CqlDecoder, type CqlEncoder } from './cql-value.js';
import { planRead, type PushableFilter, type ReadPlan } from './read-plan.js';
import { Accumulator, compareForSort, compareValues, TimeBuckets } from './row-aggregation.js';
import { keyText } from './record-rows.js';
import { primaryKeyColumns, type CqlColumn, type TableDefinition } from './table-definition.js';

/** Reads the rows of a statement, page by page (the driver's paging), as the driver returns them. */
export type ReadRows = (cql: string, params: unknown[]) => AsyncIterable<Record<string, unknown>>;

/** A query the table cannot answer (unknown column, wrong type, bad range): the caller's mistake. */
export { InvalidQueryError };

/**
 * A query that would read more rows than `queryMaxRows` allows. It keeps the name
 * `InvalidQueryError`: the caller can fix it (a narrower range, a partition filter), and the query
 * module answers errors of that name with 400 and the message.
 */
export class QueryTooLargeError extends InvalidQueryError {}

const AGGREGATIONS: readonly Aggregation[] = ['count', 'sum', 'avg', 'min', 'max'];
const OPERATORS: ReadonlyArray<QueryFilter['op']> = ['=', '!=', '<', '<=', '>', '>=', 'in'];

type Row = Record<string, unknown>;
type Predicate = (row: Row) => boolean;

interface PreparedFilters {
  readonly pushable: PushableFilter[];
  readonly predicates: Predicate[];
  readonly columns: string[];
}

/**
 * The read side of the sink (the SDK's `Queryable`) for its one table. Every identifier in a query
 * is looked up among the declared columns and quoted from the declaration; every value is a bound
 * parameter. Cassandra answers only what it can do efficiently (see `planRead`); filtering on
 * other columns, grouping, aggregation, time bucketing, sorting and limits after those are computed
 * here over the rows read, page by page, with at most `maxRows` rows read per query. Plain table
 * queries hold the rows they return in memory; aggregates hold one accumulator per group/bucket.
 */
export class TableQueries {
  private readonly byName: ReadonlyMap<string, CqlColumn>;
  private readonly encoders = new Map<string, CqlEncoder>();
  private readonly decoders = new Map<string, CqlDecoder>();

  constructor(
    private readonly definition: TableDefinition,
    private readonly read: ReadRows,
    private readonly maxRows: number,
  ) {
    this.byName = new Map(definition.columns.map((c) => [c.name, c]));
    for (const column of definition.columns) {
      this.encoders.set(column.name, cqlEncoder(column.type));
      this.decoders.set(column.name, cqlDecoder(column.type));
    }
  }

  describe(): DatasetDescription {
    return {
      name: this.definition.table,
      columns: this.definition.columns.map((c) => ({ name: c.name, type: describedType(c.type) })),
      ...(this.definition.timeColumn ? { timeColumn: this.definition.timeColumn } : {}),
      keyColumns: primaryKeyColumns(this.definition),
    };
  }

  /**
   * Buckets are `intervalMs` wide and anchored at `from`: bucket i covers
   * [from + i·intervalMs, from + (i+1)·intervalMs), so every bucket start lies within [from, to].
   * Only buckets holding rows are returned (no gap filling), in ascending time; with `groupBy`, one
   * series per distinct value (null as "null"), sorted by name.
   */
  async timeSeries(query: TimeSeriesQuery): Promise<TimeSeries[]> {
    this.checkDataset(query.dataset);
    const time = this.requireTimeColumn();
    checkAggregation(query.aggregation, 'aggregation');
    checkRange(query.from, query.to, true);
    if (typeof query.intervalMs !== 'number' || !Number.isFinite(query.intervalMs) || query.intervalMs <= 0) {
      throw new InvalidQueryError(`intervalMs must be a positive number of milliseconds, got ${String(query.intervalMs)}`);
    }
    if (query.weight !== undefined && query.aggregation !== 'avg') {
      throw new InvalidQueryError(`weight only applies to aggregation "avg" (a weighted average), not "${query.aggregation}"`);
    }
    let value: CqlColumn | undefined;
    let weight: CqlColumn | undefined;
    if (query.aggregation !== 'count') {
      if (!query.value) throw new InvalidQueryError(`aggregation "${query.aggregation}" needs a value column`);
      value = this.column(query.value, 'value');
      if (!isNumericType(value.type)) {
        throw new InvalidQueryError(`value column "${value.name}" is ${value.typeText}; "${query.aggregation}" needs a number column (int, bigint, float, double or decimal)`);
      }
      if (query.weight !== undefined) {
        weight = this.column(query.weight, 'weight');
        if (!isNumericType(weight.type)) {
          throw new InvalidQueryError(`weight column "${weight.name}" is ${weight.typeText}; a weighted average needs a number column (int, bigint, float, double or decimal)`);
        }
      }
    }
    const group = query.groupBy === undefined ? undefined : this.column(query.groupBy, 'groupBy');
    if (group && isCollection(group.type)) throw new InvalidQueryError(`groupBy column "${group.name}" is ${group.typeText} and cannot be grouped on`);
    const filters = this.prepareFilters(query.filters);

    const seriesName = query.aggregation === 'count' ? 'count' : `${query.aggregation}(${value!.name})`;
    const buckets = new TimeBuckets(query.from, query.to, query.intervalMs, weight !== undefined);
    if (!group) buckets.ensure(seriesName);
    const columns = unique([time.name, ...(value ? [value.name] : []), ...(weight ? [weight.name] : []), ...(group ? [group.name] : []), ...filters.columns]);
    const plan = planRead(this.definition, { columns, filters: filters.pushable, from: query.from, to: query.to }, this.encoders.get(time.name)!);
    for await (const row of this.rows(plan, columns, filters.predicates)) {
      const at = row[time.name];
      if (typeof at !== 'number') continue;
      const name = group ? groupName(row[group.name]) : seriesName;
      buckets.add(name, at, value ? row[value.name] : undefined, weight ? row[weight.name] : undefined);
    }
    return buckets.result(query.aggregation);
  }

  /**
   * Plain rows (`columns`, default all) or, with `aggregations`, one row per distinct combination of
   * `columns` (none: one row over everything). `from`/`to` restrict the time column (either bound
   * may be given alone). `orderBy` names columns or aggregation aliases; without it rows come in
   * Cassandra's order (by token, then clustering order). Values come back as JSON: timestamps and
   * dates as epoch ms, uuids as strings, collections as arrays/objects.
   */
  async table(query: TableQuery): Promise<TableResult> {
    this.checkDataset(query.dataset);
    const aggregations = query.aggregations ?? [];
    const plain = (query.columns ?? (aggregations.length > 0 ? [] : this.definition.columns.map((c) => c.name))).map((name) => this.column(name, 'columns'));
    if (aggregations.length > 0) {
      for (const column of plain) if (isCollection(column.type)) throw new InvalidQueryError(`column "${column.name}" is ${column.typeText} and cannot be grouped on`);
    }
    const outputs: ColumnDescription[] = plain.map((c) => ({ name: c.name, type: describedType(c.type) }));
    const aggregates = aggregations.map((aggregation, index) => {
      const where = `aggregations[${index}]`;
      checkAggregation(aggregation.fn, `${where}.fn`);
      if (typeof aggregation.as !== 'string' || aggregation.as.length === 0) throw new InvalidQueryError(`${where}.as must be a non-empty name`);
      if (outputs.some((o) => o.name === aggregation.as)) throw new InvalidQueryError(`${where}.as "${aggregation.as}" is used twice`);
      if (aggregation.weight !== undefined && aggregation.fn !== 'avg') {
        throw new InvalidQueryError(`${where}: weight only applies to fn "avg" (a weighted average), not "${aggregation.fn}"`);
      }
      let column: CqlColumn | undefined;
      let weight: CqlColumn | undefined;
      let type: ColumnDescription['type'] = 'number';
      if (aggregation.column !== undefined || aggregation.fn !== 'count') {
        if (!aggregation.column) throw new InvalidQueryError(`${where}: "${aggregation.fn}" needs a column`);
        column = this.column(aggregation.column, `${where}.column`);
        if ((aggregation.fn === 'sum' || aggregation.fn === 'avg') && !isNumericType(column.type)) {
          throw new InvalidQueryError(`${where}: "${aggregation.fn}" needs a number column, "${column.name}" is ${column.typeText}`);
        }
        if (aggregation.weight !== undefined) {
          weight = this.column(aggregation.weight, `${where}.weight`);
          if (!isNumericType(weight.type)) throw new InvalidQueryError(`${where}: a weighted average needs a number weight column, "${weight.name}" is ${weight.typeText}`);
        }
        if (aggregation.fn === 'min' || aggregation.fn === 'max') {
          if (isCollection(column.type) || describedType(column.type) === 'boolean') {
            throw new InvalidQueryError(`${where}: "${aggregation.fn}" cannot compare values of ${column.typeText} column "${column.name}"`);
          }
          type = describedType(column.type);
        }
      }
      outputs.push({ name: aggregation.as, type });
      return { fn: aggregation.fn, column, weight, countsRows: column === undefined };
    });
    if (outputs.length === 0) throw new InvalidQueryError('the query selects nothing: give columns or aggregations');

    // Plain queries may sort on declared columns they do not return: those are read as hidden columns.
    const hidden: CqlColumn[] = [];
    const order = (query.orderBy ?? []).map((o, index) => {
      const where = `orderBy[${index}]`;
      if (o.direction !== 'asc' && o.direction !== 'desc') throw new InvalidQueryError(`${where}.direction must be "asc" or "desc"`);
      let position = outputs.findIndex((output) => output.name === o.column);
      if (position < 0) {
        const column = this.column(o.column, `${where}.column`, aggregations.map((a) => a.as));
        if (aggregations.length > 0) throw new InvalidQueryError(`${where}: "${column.name}" is neither a grouped column nor an aggregation of this query`);
        if (!hidden.includes(column)) hidden.push(column);
        position = plain.length + hidden.indexOf(column);
      }
      const type = position < outputs.length ? outputs[position].type : describedType(hidden[position - plain.length].type);
      if (type === 'json') throw new InvalidQueryError(`${where}: "${o.column}" holds collections and cannot be sorted on`);
      return { position, direction: o.direction };
    });
    if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 0)) {
      throw new InvalidQueryError(`limit must be a non-negative integer, got ${String(query.limit)}`);
    }
    const ranged = query.from !== undefined || query.to !== undefined;
    if (ranged) {
      this.requireTimeColumn();
      checkRange(query.from, query.to, false);
    }
    const filters = this.prepareFilters(query.filters);
    if (query.limit === 0) return { columns: outputs, rows: [] };

    const time = ranged ? [this.requireTimeColumn().name] : [];
    const selected = [...plain, ...hidden];
    const columns = unique([...selected.map((c) => c.name), ...aggregates.flatMap((a) => [a.column, a.weight].flatMap((c) => (c ? [c.name] : []))), ...filters.columns, ...time]);
    const streaming = aggregates.length === 0 && order.length === 0;
    const plan = planRead(
      this.definition,
      { columns, filters: filters.pushable, from: query.from, to: query.to, ...(streaming && query.limit !== undefined ? { limit: query.limit } : {}) },
      this.encoders.get(this.definition.timeColumn ?? '') ?? cqlEncoder({ kind: 'scalar', name: 'timestamp' }),
    );
    const inRange: Predicate = (row) => {
      if (!ranged) return true;
      const at = row[time[0]];
      return typeof at === 'number' && (query.from === undefined || at >= query.from) && (query.to === undefined || at <= query.to);
    };

    let rows: unknown[][] = [];
    if (aggregates.length === 0) {
      for await (const row of this.rows(plan, columns, filters.predicates)) {
        if (!inRange(row)) continue;
        rows.push(selected.map((c) => row[c.name]));
        if (streaming && query.limit !== undefined && rows.length >= query.limit) break;
      }
    } else {
      const groups = new Map<string, { values: unknown[]; accumulators: Accumulator[] }>();
      const accumulators = () => aggregates.map((a) => new Accumulator(a.weight !== undefined));
      if (plain.length === 0) groups.set('', { values: [], accumulators: accumulators() });
      for await (const row of this.rows(plan, columns, filters.predicates)) {
        if (!inRange(row)) continue;
        const values = plain.map((c) => row[c.name]);
        const key = values.map(keyText).join('');
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { values, accumulators: accumulators() }));
        aggregates.forEach((a, i) => group!.accumulators[i].add(a.column ? row[a.column.name] : undefined, a.weight ? row[a.weight.name] : undefined));
      }
      rows = [...groups.values()].map((g) => [...g.values, ...g.accumulators.map((acc, i) => acc.result(aggregates[i].fn, aggregates[i].countsRows))]);
    }
    if (order.length > 0) {
      rows.sort((a, b) => {
        for (const { position, direction } of order) {
          const result = compareForSort(a[position], b[position], direction);
          if (result !== 0) return result;
        }
        return 0;
      });
    }
    if (query.limit !== undefined && rows.length > query.limit) rows = rows.slice(0, query.limit);
    if (hidden.length > 0) rows = rows.map((row) => row.slice(0, plain.length));
    return { columns: outputs, rows };
  }

  /** Decoded rows of a plan that pass the predicates, with the row budget enforced. */
  private async *rows(plan: ReadPlan, columns: readonly string[], predicates: readonly Predicate[]): AsyncGenerator<Row> {
    if (plan.empty) return;
    const decoders = columns.map((name) => [name, this.decoders.get(name)!] as const);
    let read = 0;
    for await (const raw of this.read(plan.cql, plan.params)) {
      if (++read > this.maxRows) {
        throw new QueryTooLargeError(
          `the query reads more than ${this.maxRows} rows of ${this.definition.keyspace}.${this.definition.table} ` +
            '(queryMaxRows); narrow the time range or filter on the partition key, or raise queryMaxRows',
        );
      }
      const row: Row = {};
      for (const [name, decode] of decoders) row[name] = decode(raw[name]);
      if (predicates.every((p) => p(row))) yield row;
    }
  }

  /**
   * Checks the filters and turns each into a predicate over decoded rows (SQL semantics: a
   * comparison with a null value is false; `= null` / `!= null` test for null). Every filter is
   * evaluated here, also those the read pushes to Cassandra (a no-op then).
   */
  private prepareFilters(filters: readonly QueryFilter[] | undefined): PreparedFilters {
    const pushable: PushableFilter[] = [];
    const predicates: Predicate[] = [];
    const columns: string[] = [];
    (filters ?? []).forEach((filter, index) => {
      const where = `filters[${index}]`;
      const column = this.column(filter.column, `${where}.column`);
      if (isCollection(column.type)) throw new InvalidQueryError(`${where}: ${column.typeText} column "${column.name}" cannot be filtered on`);
      if (!OPERATORS.includes(filter.op)) throw new InvalidQueryError(`${where}.op must be one of ${OPERATORS.join(', ')}, got ${String(filter.op)}`);
      columns.push(column.name);
      const name = column.name;
      if (filter.op === 'in') {
        if (!Array.isArray(filter.value)) throw new InvalidQueryError(`${where}: "in" needs an array value`);
        const encoded = filter.value.map((v, i) => this.filterValue(column, v, `${where}.value[${i}]`));
        const decoded = encoded.map((v) => this.decoders.get(name)!(v));
        pushable.push({ column: name, op: 'in', encoded });
        predicates.push((row) => row[name] !== null && decoded.some((v) => compareValues(row[name], v) === 0));
        return;
      }
      if (Array.isArray(filter.value)) throw new InvalidQueryError(`${where}: only "in" takes an array value`);
      if (filter.value === null) {
        if (filter.op !== '=' && filter.op !== '!=') throw new InvalidQueryError(`${where}: null can only be compared with "=" or "!="`);
        pushable.push({ column: name, op: filter.op, encoded: null });
        predicates.push(filter.op === '=' ? (row) => row[name] === null : (row) => row[name] !== null);
        return;
      }
      const encoded = this.filterValue(column, filter.value, `${where}.value`);
      const value = this.decoders.get(name)!(encoded);
      const test = comparison(filter.op);
      pushable.push({ column: name, op: filter.op, encoded });
      predicates.push((row) => row[name] !== null && test(compareValues(row[name], value)));
    });
    return { pushable, predicates, columns };
  }

  private filterValue(column: CqlColumn, value: unknown, where: string): unknown {
    try {
      return this.encoders.get(column.name)!(value);
    } catch (error) {
      if (error instanceof CqlValueError) throw new InvalidQueryError(`${where} for column "${column.name}": ${error.message}`);
      throw error;
    }
  }

  private column(name: unknown, where: string, extra: readonly string[] = []): CqlColumn {
    const column = typeof name === 'string' ? this.byName.get(name) : undefined;
    if (column) return column;
    throw unknownColumnError(where, name, this.definition.table, [...this.byName.keys(), ...extra]);
  }

  private requireTimeColumn(): CqlColumn {
    if (!this.definition.timeColumn) throw new InvalidQueryError(`dataset "${this.definition.table}" has no time column (set timeColumn in the sink config)`);
    return this.byName.get(this.definition.timeColumn)!;
  }

  private checkDataset(dataset: string): void {
    if (dataset !== this.definition.table) throw new InvalidQueryError(`unknown dataset "${dataset}"; this sink serves "${this.definition.table}"`);
  }
}

function comparison(op: QueryFilter['op']): (order: number) => boolean {
  switch (op) {
    case '=':
      return (o) => o === 0;
    case '!=':
      return (o) => o !== 0;
    case '<':
      return (o) => o < 0;
    case '<=':
      return (o) => o <= 0;
    case '>':
      return (o) => o > 0;
    default:
      return (o) => o >= 0;
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

function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}
