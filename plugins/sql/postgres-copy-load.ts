import { quoteIdentifier } from './sql-dialect.js';
import { conflictClause } from './upsert-statement.js';

/**
 * The statements of a PostgreSQL batch loaded through `COPY ... FROM STDIN` (text format, see
 * postgres-copy-text.ts), all run in the batch's transaction:
 *
 * - Plain inserts (no key): `copy` streams the rows straight into the table.
 * - Upserts: `createStage` makes a temporary table of the declared columns, `copy` streams the rows
 *   into it and `merge` moves them into the table with `INSERT ... SELECT ... ON CONFLICT (key) DO
 *   UPDATE` — one statement, so the batch is atomic and idempotent like the multi-row INSERTs.
 *   The rows hold at most one row per key (RecordRows keeps the last record of each key), so the
 *   merge never meets "ON CONFLICT DO UPDATE command cannot affect row a second time".
 *
 * The staging table is `CREATE TEMP TABLE ... ON COMMIT DROP AS SELECT <declared columns> FROM
 * <table> WITH NO DATA`: its columns have exactly the table's types (varchar(n), numeric(p,s), a
 * domain... of a table created outside Sluice), so a value the table cannot take fails in COPY as it
 * would in an INSERT (a data error, class 22). It holds the declared columns only and none of the
 * table's constraints: NOT NULL, CHECK, UNIQUE and foreign keys are checked by the merge, and the
 * table's other columns (an identity key, columns with defaults) get their defaults there. `LIKE
 * <table>` would copy every column's NOT NULL, which fails the COPY for an identity column the sink
 * does not write. ON COMMIT DROP (and a rollback) removes it, so each transaction makes its own.
 */
export class PostgresCopyLoad {
  /** The CREATE TEMP TABLE of the staging table; null for plain inserts (COPY into the table itself). */
  readonly createStage: string | null;
  /** The `COPY ... FROM STDIN` the rows are streamed to. */
  readonly copy: string;
  /** The INSERT ... SELECT ... ON CONFLICT from the staging table; null for plain inserts. */
  readonly merge: string | null;

  constructor(tableSql: string, table: string, columns: readonly string[], key: readonly string[] | null) {
    const list = columns.map(quoteIdentifier).join(', ');
    if (key === null) {
      this.createStage = null;
      this.copy = `COPY ${tableSql} (${list}) FROM STDIN`;
      this.merge = null;
      return;
    }
    // pg_temp is searched before the search path: the staging table must never share the name of an unqualified table.
    const stage = `pg_temp.${quoteIdentifier(table === STAGE_TABLE ? `${STAGE_TABLE}_` : STAGE_TABLE)}`;
    this.createStage = `CREATE TEMP TABLE ${stage} ON COMMIT DROP AS SELECT ${list} FROM ${tableSql} WITH NO DATA`;
    this.copy = `COPY ${stage} (${list}) FROM STDIN`;
    this.merge = `INSERT INTO ${tableSql} (${list}) SELECT ${list} FROM ${stage}${conflictClause(columns, key)}`;
  }
}

/** Name of the per-transaction staging table (in the session's pg_temp schema). */
export const STAGE_TABLE = 'sluice_copy_stage';
