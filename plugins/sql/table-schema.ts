import { Table, type QueryRunner } from 'typeorm';
import type { SqlDialect } from './sql-dialect.js';
import type { SqlColumnType } from './sql.config.js';

/** A declared column, resolved from the config. */
export interface SqlColumn {
  readonly name: string;
  readonly type: SqlColumnType;
  readonly nullable: boolean;
  /** Path segments into the record value. */
  readonly path: readonly string[];
  readonly length?: number;
}

export interface TableDefinition {
  readonly schema?: string;
  readonly table: string;
  readonly columns: readonly SqlColumn[];
  readonly key: readonly string[];
  readonly timeColumn?: string;
}

/** The TypeORM table path: `schema.table` or `table`. */
export function tablePath(definition: Pick<TableDefinition, 'schema' | 'table'>): string {
  return definition.schema ? `${definition.schema}.${definition.table}` : definition.table;
}

/**
 * Creates the table from the declared columns (and the schema, on PostgreSQL) when it does not
 * exist, through TypeORM's schema API so the DDL fits each driver: the key becomes the primary key
 * and the time column gets an index. Returns whether the table was created.
 */
export async function createTableIfMissing(runner: QueryRunner, dialect: SqlDialect, definition: TableDefinition): Promise<boolean> {
  const path = tablePath(definition);
  if (await runner.hasTable(path)) return false;
  if (definition.schema && dialect.driver === 'postgres') await runner.createSchema(definition.schema, true);
  const key = new Set(definition.key);
  const table = new Table({
    name: path,
    columns: definition.columns.map((column) => ({
      name: column.name,
      ...dialect.tableColumnType(column.type, column.length),
      isNullable: column.nullable && !key.has(column.name),
      isPrimary: key.has(column.name),
    })),
    indices: definition.timeColumn ? [{ name: `idx_${definition.table}_${definition.timeColumn}`.slice(0, 63), columnNames: [definition.timeColumn] }] : [],
  });
  try {
    await runner.createTable(table, true);
  } catch (error) {
    // Another sink (or process) may have created it between the check and the CREATE.
    if (await runner.hasTable(path)) return false;
    throw error;
  }
  return true;
}

/**
 * Checks that an existing table can take the sink's writes: every declared column exists, and (in
 * upsert mode) the key columns carry a primary key or unique constraint/index of exactly those
 * columns, which `ON CONFLICT (key)` requires. Returns the problems found (empty when fine).
 */
export async function checkTable(runner: QueryRunner, dialect: SqlDialect, definition: TableDefinition, needsUniqueKey: boolean): Promise<string[]> {
  const path = tablePath(definition);
  const table = await runner.getTable(path);
  if (!table) return [`table "${path}" does not exist (set createTable: true to create it)`];
  // SQLite matches identifiers case-insensitively; PostgreSQL matches quoted ones exactly.
  const norm = dialect.driver === 'sqlite' ? (name: string) => name.toLowerCase() : (name: string) => name;
  const existing = new Set(table.columns.map((c) => norm(c.name)));
  const problems = definition.columns
    .filter((c) => !existing.has(norm(c.name)))
    .map((c) => `table "${path}" has no column "${c.name}" (it has: ${table.columns.map((x) => x.name).join(', ')})`);
  if (needsUniqueKey && definition.key.length > 0) {
    const wanted = [...definition.key].map(norm).sort().join(',');
    const sets = [
      table.columns.filter((c) => c.isPrimary).map((c) => c.name),
      ...table.indices.filter((i) => i.isUnique && !i.where).map((i) => i.columnNames),
      ...table.uniques.map((u) => u.columnNames),
      ...table.columns.filter((c) => c.isUnique).map((c) => [c.name]),
    ];
    if (!sets.some((names) => names.map(norm).sort().join(',') === wanted)) {
      problems.push(
        `table "${path}" has no primary key or unique constraint on exactly (${definition.key.join(', ')}), which upserts need ` +
          '(add one, or use mode: insert)',
      );
    }
  }
  return problems;
}

/**
 * Whether the table's time column leads an index (a b-tree, not partial), so that a range of it can
 * be read through the index. False when the table has no time column or no such index.
 */
export async function timeColumnIndexed(runner: QueryRunner, dialect: SqlDialect, definition: TableDefinition): Promise<boolean> {
  if (!definition.timeColumn) return false;
  const { sql, parameters } = dialect.leadingIndexQuery(definition, definition.timeColumn);
  const rows = (await runner.query(sql, parameters)) as unknown[];
  return rows.length > 0;
}
