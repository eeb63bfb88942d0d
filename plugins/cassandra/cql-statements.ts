import type { CassandraKeyspaceCreationConfig } from './cassandra.config.js';
import type { TableDefinition } from './table-definition.js';

/**
 * CQL text for the sink's statements. Identifiers come only from the validated config (letters,
 * digits, underscores) and are double-quoted; string literals (data centre names) are single-quoted
 * with quotes doubled. Every value a record or a query brings travels as a bound parameter (`?`):
 * nothing a user sends is ever spliced into CQL.
 */

/** A double-quoted CQL identifier (quotes doubled, although validated names never hold one). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export function qualifiedTable(definition: Pick<TableDefinition, 'keyspace' | 'table'>): string {
  return `${quoteIdentifier(definition.keyspace)}.${quoteIdentifier(definition.table)}`;
}

/** `CREATE KEYSPACE IF NOT EXISTS` with the configured replication. */
export function createKeyspaceStatement(keyspace: string, creation: CassandraKeyspaceCreationConfig): string {
  const options: string[] = [`'class': ${quoteLiteral(creation.strategy)}`];
  if (creation.replicationFactor !== undefined) options.push(`'replication_factor': ${Math.trunc(creation.replicationFactor)}`);
  if (creation.strategy === 'NetworkTopologyStrategy') {
    for (const [dataCenter, factor] of Object.entries(creation.dataCenters ?? {})) options.push(`${quoteLiteral(dataCenter)}: ${Math.trunc(factor)}`);
  }
  return `CREATE KEYSPACE IF NOT EXISTS ${quoteIdentifier(keyspace)} WITH replication = {${options.join(', ')}}`;
}

/** `CREATE TABLE IF NOT EXISTS` from the declared columns, primary key and clustering order. */
export function createTableStatement(definition: TableDefinition): string {
  const columns = definition.columns.map((c) => `${quoteIdentifier(c.name)} ${c.typeText}`);
  const partition = `(${definition.partitionKey.map(quoteIdentifier).join(', ')})`;
  const primaryKey = [partition, ...definition.clusteringKey.map((k) => quoteIdentifier(k.column))].join(', ');
  let cql = `CREATE TABLE IF NOT EXISTS ${qualifiedTable(definition)} (${columns.join(', ')}, PRIMARY KEY (${primaryKey}))`;
  if (definition.clusteringKey.length > 0) {
    cql += ` WITH CLUSTERING ORDER BY (${definition.clusteringKey.map((k) => `${quoteIdentifier(k.column)} ${k.order.toUpperCase()}`).join(', ')})`;
  }
  return cql;
}

/** The prepared upsert: one parameter per declared column, in declaration order. */
export function insertStatement(definition: TableDefinition): string {
  const names = definition.columns.map((c) => quoteIdentifier(c.name));
  return `INSERT INTO ${qualifiedTable(definition)} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`;
}

/** `DELETE FROM <table> WHERE <primary key column> = ? AND ...`, the key in partition then clustering order. */
export function deleteStatement(definition: TableDefinition): string {
  const key = [...definition.partitionKey, ...definition.clusteringKey.map((k) => k.column)];
  return `DELETE FROM ${qualifiedTable(definition)} WHERE ${key.map((column) => `${quoteIdentifier(column)} = ?`).join(' AND ')}`;
}

/** A restriction of a SELECT: `column op ?` (or `column IN ?` with a list parameter). */
export interface Restriction {
  readonly column: string;
  readonly op: '=' | 'in' | '>=' | '<=';
}

export interface SelectOptions {
  readonly columns: readonly string[];
  readonly where: readonly Restriction[];
  readonly allowFiltering: boolean;
  /** Adds `LIMIT ?` (its value is the last parameter). */
  readonly limit: boolean;
}

/** A SELECT of declared columns; the caller binds one parameter per restriction (then the limit). */
export function selectStatement(definition: Pick<TableDefinition, 'keyspace' | 'table'>, options: SelectOptions): string {
  let cql = `SELECT ${options.columns.map(quoteIdentifier).join(', ')} FROM ${qualifiedTable(definition)}`;
  if (options.where.length > 0) {
    cql += ` WHERE ${options.where.map((r) => `${quoteIdentifier(r.column)} ${r.op === 'in' ? 'IN' : r.op} ?`).join(' AND ')}`;
  }
  if (options.limit) cql += ' LIMIT ?';
  if (options.allowFiltering) cql += ' ALLOW FILTERING';
  return cql;
}

/** Whether a keyspace exists. */
export const KEYSPACE_EXISTS = 'SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?';
/** The columns of a table, as the schema tables describe them. */
export const TABLE_COLUMNS = 'SELECT column_name, kind, position, clustering_order, type FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?';
/** The node answers (health). */
export const RELEASE_VERSION = 'SELECT release_version FROM system.local';
