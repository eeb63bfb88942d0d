import { selectStatement, type Restriction } from './cql-statements.js';
import type { CqlEncoder } from './cql-value.js';
import type { TableDefinition } from './table-definition.js';

/** A filter already checked against the declared columns, with its value in the column's encoded form. */
export interface PushableFilter {
  readonly column: string;
  readonly op: string;
  /** The driver value (`=`), or the list of driver values (`in`); null for `= null`. */
  readonly encoded: unknown;
}

export interface ReadRequest {
  /** Declared columns to read. */
  readonly columns: readonly string[];
  readonly filters: readonly PushableFilter[];
  /** Restriction of the time column, epoch ms (either may be missing). */
  readonly from?: number;
  readonly to?: number;
  /** A row limit the caller may push down when every filter is pushed. */
  readonly limit?: number;
}

export interface ReadPlan {
  readonly cql: string;
  readonly params: unknown[];
  /** Whether the statement scans with ALLOW FILTERING. */
  readonly allowFiltering: boolean;
  /** An `in` filter on the partition key with no values: nothing can match, skip the read. */
  readonly empty: boolean;
  /** Indexes (in `filters`) of the filters the statement applies. */
  readonly pushed: ReadonlySet<number>;
  /** Whether the statement carries the row limit. */
  readonly limited: boolean;
}

/**
 * Plans the one SELECT a query reads, pushing to Cassandra only what it can answer efficiently and
 * exactly; everything else (the other filters, grouping, aggregation, sorting) happens in the
 * plugin over the rows read:
 *
 * - When filters fix every partition key column (`=` or `in`), the read is confined to those
 *   partitions, plus any `=` filters on clustering columns that follow one another from the first.
 * - The time range (`from`/`to`) is always pushed. Without ALLOW FILTERING only when the partitions
 *   are fixed and the time column is the next clustering column: then it is a slice of each
 *   partition, read in clustering order. Otherwise it needs ALLOW FILTERING, which makes every node
 *   read through its whole share of the table (or of the fixed partitions) and return only the rows
 *   in range: the cost grows with the table, not with the answer. Declare the time column as a
 *   clustering column and query by partition where that matters.
 * - Without a time range and fixed partitions the read is a full scan of the table, paged.
 */
export function planRead(definition: TableDefinition, request: ReadRequest, encodeTime: CqlEncoder): ReadPlan {
  const where: Restriction[] = [];
  const params: unknown[] = [];
  const pushed = new Set<number>();
  const timeColumn = definition.timeColumn;
  const firstFilter = (column: string, ops: readonly string[]) =>
    request.filters.findIndex((f) => f.column === column && ops.includes(f.op) && f.encoded !== null);

  // The partition key, when filters fix every column of it (never the time column: it gets a range).
  const partitionFilters = definition.partitionKey.map((column) => (column === timeColumn ? -1 : firstFilter(column, ['=', 'in'])));
  const partitionsFixed = partitionFilters.every((i) => i >= 0);
  let empty = false;
  let nextClustering = 0;
  if (partitionsFixed) {
    for (const index of partitionFilters) {
      const filter = request.filters[index];
      where.push({ column: filter.column, op: filter.op === 'in' ? 'in' : '=' });
      params.push(filter.encoded);
      pushed.add(index);
      if (filter.op === 'in' && Array.isArray(filter.encoded) && filter.encoded.length === 0) empty = true;
    }
    for (const { column } of definition.clusteringKey) {
      if (column === timeColumn) break;
      const index = firstFilter(column, ['=']);
      if (index < 0) break;
      where.push({ column, op: '=' });
      params.push(request.filters[index].encoded);
      pushed.add(index);
      nextClustering++;
    }
  }

  const ranged = request.from !== undefined || request.to !== undefined;
  let allowFiltering = false;
  if (ranged) {
    if (!timeColumn) throw new Error('a time range needs the time column');
    const slice = partitionsFixed && definition.clusteringKey[nextClustering]?.column === timeColumn;
    allowFiltering = !slice;
    if (request.from !== undefined) {
      where.push({ column: timeColumn, op: '>=' });
      params.push(encodeTime(request.from));
    }
    if (request.to !== undefined) {
      where.push({ column: timeColumn, op: '<=' });
      params.push(encodeTime(request.to));
    }
  }

  const limited = request.limit !== undefined && pushed.size === request.filters.length;
  if (limited) params.push(request.limit);
  // A query that needs no column (a plain row count) still has to select one: the first partition key column.
  const columns = request.columns.length > 0 ? request.columns : [definition.partitionKey[0]];
  return {
    cql: selectStatement(definition, { columns, where, allowFiltering, limit: limited }),
    params,
    allowFiltering,
    empty,
    pushed,
    limited,
  };
}
