import type { CassandraSinkConfig } from './cassandra.config.js';
import { formatCqlType, parseCqlType, type CqlType } from './cql-type.js';

/** A declared column, resolved from the config. */
export interface CqlColumn {
  readonly name: string;
  readonly type: CqlType;
  /** The canonical type spelling (`map<text, int>`), as Cassandra reports it. */
  readonly typeText: string;
  /** Path segments into the record value. */
  readonly path: readonly string[];
}

export interface TableDefinition {
  readonly keyspace: string;
  readonly table: string;
  readonly columns: readonly CqlColumn[];
  readonly partitionKey: readonly string[];
  readonly clusteringKey: ReadonlyArray<{ readonly column: string; readonly order: 'asc' | 'desc' }>;
  readonly timeColumn?: string;
}

/** The table a validated config describes (types parsed; the config validation has checked they parse). */
export function tableDefinition(config: CassandraSinkConfig): TableDefinition {
  return {
    keyspace: config.keyspace,
    table: config.table,
    columns: config.columns.map((c) => {
      const type = parseCqlType(c.type);
      return { name: c.name, type, typeText: formatCqlType(type), path: (c.from ?? c.name).split('.') };
    }),
    partitionKey: [...config.partitionKey],
    clusteringKey: (config.clusteringKey ?? []).map((k) => ({ column: k.column, order: k.order ?? 'asc' })),
    ...(config.timeColumn ? { timeColumn: config.timeColumn } : {}),
  };
}

/** `keyspace.table`, for messages. */
export function tableName(definition: Pick<TableDefinition, 'keyspace' | 'table'>): string {
  return `${definition.keyspace}.${definition.table}`;
}

/** The primary key columns: partition key, then clustering columns. */
export function primaryKeyColumns(definition: TableDefinition): string[] {
  return [...definition.partitionKey, ...definition.clusteringKey.map((k) => k.column)];
}

/** One row of `system_schema.columns` for the table. */
export interface SchemaColumnRow {
  readonly column_name: string;
  readonly kind: string;
  readonly position: number;
  readonly clustering_order: string;
  readonly type: string;
}

/**
 * Compares an existing table (its `system_schema.columns` rows) with the declaration. The sink
 * refuses to start on any difference that would break its writes or queries: a declared column
 * that is missing or has another type (values are converted for the declared type), or another
 * primary key (batching groups rows by the declared partition key; queries plan on the clustering
 * columns). Columns of the table that are not declared are fine: the sink does not write them.
 * Returns the problems found (empty when the table fits).
 */
export function checkTableSchema(definition: TableDefinition, rows: readonly SchemaColumnRow[]): string[] {
  const name = tableName(definition);
  if (rows.length === 0) return [`table ${name} does not exist (set createTable: true to create it)`];
  const byName = new Map(rows.map((r) => [r.column_name, r]));
  const problems: string[] = [];
  for (const column of definition.columns) {
    const existing = byName.get(column.name);
    if (!existing) {
      problems.push(`table ${name} has no column "${column.name}" (it has: ${rows.map((r) => r.column_name).join(', ')})`);
      continue;
    }
    const existingType = normaliseSchemaType(existing.type);
    if (existingType !== column.typeText) problems.push(`column "${column.name}" of table ${name} is ${existing.type}, the config declares ${column.typeText}`);
  }
  const ordered = (kind: string) =>
    rows
      .filter((r) => r.kind === kind)
      .sort((a, b) => a.position - b.position);
  const partition = ordered('partition_key').map((r) => r.column_name);
  if (partition.join(',') !== definition.partitionKey.join(',')) {
    problems.push(`table ${name} has the partition key (${partition.join(', ')}), the config declares (${definition.partitionKey.join(', ')})`);
  }
  const clustering = ordered('clustering').map((r) => `${r.column_name} ${r.clustering_order.toLowerCase()}`);
  const declared = definition.clusteringKey.map((k) => `${k.column} ${k.order}`);
  if (clustering.join(',') !== declared.join(',')) {
    problems.push(`table ${name} has the clustering key (${clustering.join(', ') || 'none'}), the config declares (${declared.join(', ') || 'none'})`);
  }
  return problems;
}

/** A type as system_schema spells it, in canonical form (it is already, except for spacing and case). */
function normaliseSchemaType(text: string): string {
  try {
    return formatCqlType(parseCqlType(text));
  } catch {
    // A type the sink does not know (tuple, udt, counter...): keep it, it cannot equal a declared type.
    return text;
  }
}
