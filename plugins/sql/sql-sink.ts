import { isAbsolute, resolve } from 'node:path';
import {
  describeError,
  RecordError,
  type DatasetDescription,
  type HealthReport,
  type PluginContext,
  type Queryable,
  type Sink,
  type SinkWriteResult,
  type SluiceRecord,
  type TableQuery,
  type TableResult,
  type TimeSeries,
  type TimeSeriesQuery,
} from '@sluice/sdk';
import type pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { batchError } from './database-error.js';
import { PostgresBatchWriter } from './postgres-batch-writer.js';
import { PostgresCopyLoad } from './postgres-copy-load.js';
import { SqliteBatchWriter, type SqliteConnection } from './sqlite-batch-writer.js';
import { sqliteFileLock } from './sqlite-file-lock.js';
import { SQLITE_BUSY_TIMEOUT_MS, SqliteLockWait, sqliteLockCode } from './sqlite-lock-wait.js';
import { RecordRows } from './record-rows.js';
import { SerialLock } from '@sluice/sdk';
import { dialectFor, quoteIdentifier, type SqlDialect } from './sql-dialect.js';
import type { SqlSinkConfig } from './sql.config.js';
import { TableQueries } from './table-queries.js';
import { checkTable, createTableIfMissing, tablePath, timeColumnIndexed, type TableDefinition } from './table-schema.js';
import { DeleteStatement } from './delete-statement.js';
import { UpsertStatement } from './upsert-statement.js';

/** The table definition a validated config describes. */
export function tableDefinition(config: SqlSinkConfig): TableDefinition {
  return {
    ...(config.driver === 'postgres' && config.schema ? { schema: config.schema } : {}),
    table: config.table,
    columns: config.columns.map((c) => ({
      name: c.name,
      type: c.type,
      nullable: c.nullable ?? false,
      path: (c.from ?? c.name).split('.'),
      ...(c.length === undefined ? {} : { length: c.length }),
    })),
    key: config.key ?? [],
    ...(config.timeColumn ? { timeColumn: config.timeColumn } : {}),
  };
}

/**
 * The `sql` sink: writes records as rows of one table in SQLite or PostgreSQL through a TypeORM
 * DataSource (connection, table creation and checks, queries), and answers queries over that table.
 *
 * Each `write` is one transaction of `INSERT ... ON CONFLICT (key) DO UPDATE` with bind parameters,
 * on the driver's own connection: atomic (a failing statement rolls the whole batch back) and
 * idempotent (redelivered records replace their rows). On SQLite, prepared multi-row statements in
 * `BEGIN IMMEDIATE` ({@link SqliteBatchWriter}); on PostgreSQL, multi-row statements for small
 * batches and `COPY` into a staging table merged with one statement for large ones (`copyThreshold`,
 * see {@link PostgresBatchWriter}), cancelled on the server when the runtime aborts the write.
 * Writes are serialised: on
 * SQLite the one connection cannot hold two transactions, and on PostgreSQL overlapping upserts of
 * the same keys from one sink would race (deadlocks, order of "last write wins").
 *
 * On SQLite, a database file locked by another connection (another process, the sqlite3 CLI) is
 * waited out asynchronously, up to `lockWaitMs` (see {@link SqliteLockWait}): better-sqlite3 would
 * otherwise sleep inside the call and freeze the whole process.
 */
export class SqlSink implements Sink, Queryable {
  private readonly dialect: SqlDialect;
  private readonly definition: TableDefinition;
  private readonly tableSql: string;
  private readonly rows: RecordRows;
  private readonly statement: UpsertStatement;
  /** PostgreSQL only: writes batches through pg (INSERTs or COPY), cancellable. */
  private readonly postgresWriter: PostgresBatchWriter | undefined;
  /** SQLite only: writes batches through better-sqlite3 (prepared statements, one transaction). */
  private readonly sqliteWriter: SqliteBatchWriter | undefined;
  private readonly queries: TableQueries;
  /**
   * Serialises writes (and, on SQLite, reads: they share the connection and its open transaction).
   * On SQLite it is shared by every sink of the process writing the same database file.
   */
  private readonly lock: SerialLock;
  /**
   * Keeps this sink's writes in call order while one waits for another connection's lock: the
   * waiting write lets go of {@link lock} between attempts (queries and the other sinks of the file
   * may use the connection meanwhile), but a later write of this sink must not overtake it.
   */
  private readonly writeOrder = new SerialLock();
  /** SQLite only: retries what fails with SQLITE_BUSY / SQLITE_LOCKED, without blocking the event loop. */
  private readonly lockWait: SqliteLockWait | undefined;
  /** Aborted by stop(): writes and queries waiting for another connection's lock give up. */
  private stopped = new AbortController();
  private dataSource: DataSource | undefined;
  private stopping = false;

  constructor(
    private readonly config: SqlSinkConfig,
    private readonly context: PluginContext,
  ) {
    this.dialect = dialectFor(config.driver);
    this.definition = tableDefinition(config);
    this.tableSql = (this.definition.schema ? `${quoteIdentifier(this.definition.schema)}.` : '') + quoteIdentifier(this.definition.table);
    const upsertKey = config.mode === 'upsert' ? this.definition.key : null;
    this.rows = new RecordRows(this.definition.columns, config.driver, upsertKey, config.deleteOnNull);
    const columnNames = this.definition.columns.map((c) => c.name);
    this.statement = new UpsertStatement(this.dialect, this.tableSql, columnNames, upsertKey);
    const deleteStatement = upsertKey && config.deleteOnNull ? new DeleteStatement(this.dialect, this.tableSql, upsertKey) : undefined;
    this.postgresWriter =
      config.driver === 'postgres'
        ? new PostgresBatchWriter(this.statement, new PostgresCopyLoad(this.tableSql, this.definition.table, columnNames, upsertKey), {
            copyThreshold: config.copyThreshold,
            url: config.url!,
            connectTimeoutMs: config.connectTimeoutMs,
            applicationName: this.applicationName(),
            ...(deleteStatement ? { deleteStatement } : {}),
          })
        : undefined;
    this.sqliteWriter = config.driver === 'sqlite' ? new SqliteBatchWriter(this.statement, deleteStatement) : undefined;
    this.queries = new TableQueries(this.dialect, this.definition, this.tableSql, (sql, parameters) => this.read(sql, parameters));
    this.lock = config.driver === 'sqlite' ? sqliteFileLock(this.sqliteFile()) : new SerialLock();
    this.lockWait = config.driver === 'sqlite' ? new SqliteLockWait(this.sqliteFile(), config.lockWaitMs) : undefined;
  }

  /** The SQLite database file, absolute (relative paths are relative to the config's folder). */
  private sqliteFile(): string {
    const file = this.config.database!;
    return file === ':memory:' ? file : isAbsolute(file) ? file : resolve(this.context.configDir, file);
  }

  async start(): Promise<void> {
    this.stopping = false;
    if (this.stopped.signal.aborted) this.stopped = new AbortController();
    // On SQLite, switching a file to WAL needs an exclusive lock another connection may be holding.
    const dataSource = await this.waitingOutLocks(`opening SQLite database ${this.config.database}`, () => this.connect());
    const what = `preparing table "${tablePath(this.definition)}"`;
    try {
      // On SQLite, CREATE TABLE needs the write lock another connection may hold: waited out like a write.
      await this.waitingOutLocks(what, () => this.lock.run(() => this.prepareTable(dataSource, what)));
    } catch (error) {
      await dataSource.destroy().catch(() => undefined);
      throw error;
    }
    this.dataSource = dataSource;
  }

  /** A connected DataSource. A SQLite lock error is thrown as it is, for waitingOutLocks to recognise. */
  private async connect(): Promise<DataSource> {
    const dataSource = new DataSource(this.dataSourceOptions());
    try {
      await dataSource.initialize();
      return dataSource;
    } catch (error) {
      throw sqliteLockCode(error) ? error : this.connectionError(error);
    }
  }

  /** Creates the table if asked to and checks that it fits; throws a RecordError (batchError for driver errors). */
  private async prepareTable(dataSource: DataSource, what: string): Promise<void> {
    const runner = dataSource.createQueryRunner();
    try {
      if (this.config.createTable) {
        const created = await createTableIfMissing(runner, this.dialect, this.definition);
        if (created) this.context.logger.info({ table: tablePath(this.definition), driver: this.config.driver }, 'created table');
      }
      const problems = await checkTable(runner, this.dialect, this.definition, this.config.mode === 'upsert');
      if (problems.length > 0) throw new RecordError(`sql sink: ${problems.join('; ')}`, { retryable: false });
      this.queries.timeIndexed = await timeColumnIndexed(runner, this.dialect, this.definition);
    } catch (error) {
      throw error instanceof RecordError ? error : batchError(error, this.config.driver, what);
    } finally {
      if (this.config.driver === 'postgres') await runner.release().catch(() => undefined);
    }
  }

  /**
   * Stores the batch in one transaction. `signal` (from the runtime: write timeout, shutdown) ends
   * a wait for another connection's lock on a SQLite file, and on PostgreSQL cancels the statement
   * running on the server; the transaction is then rolled back. A write whose signal aborted while
   * it queued behind another one does not start.
   */
  async write(batch: readonly SluiceRecord[], signal?: AbortSignal): Promise<void | SinkWriteResult> {
    this.started();
    const { rows, deletes, failed } = this.rows.encode(batch);
    if (rows.length > 0 || deletes.length > 0) {
      const what = `writing ${rows.length} rows${deletes.length > 0 ? ` and deleting ${deletes.length}` : ''} to "${tablePath(this.definition)}"`;
      // started() again at each attempt: stop() may have closed the connection while this write queued or waited.
      await this.writeOrder.run(() => this.waitingOutLocks(what, () => this.lock.run(() => this.writeRows(this.started(), rows, deletes, what, signal)), signal));
    }
    return failed.length > 0 ? { failed } : undefined;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    // Whatever waits for another connection's lock gives up (a start too); the write in flight finishes, then close.
    this.stopped.abort(new Error('the sink is stopping'));
    const dataSource = this.dataSource;
    if (!dataSource) return;
    await this.writeOrder.run(() =>
      this.lock.run(async () => {
        this.dataSource = undefined;
        if (dataSource.isInitialized) await dataSource.destroy();
      }),
    );
  }

  async health(): Promise<HealthReport> {
    const details = { driver: this.config.driver, table: tablePath(this.definition) };
    const dataSource = this.dataSource;
    if (!dataSource?.isInitialized) return { status: 'down', details: { ...details, reason: 'not started' } };
    try {
      await dataSource.query('SELECT 1');
      return { status: 'up', details };
    } catch (error) {
      return { status: 'down', details: { ...details, reason: this.redact(describeError(error)) } };
    }
  }

  async listDatasets(): Promise<readonly DatasetDescription[]> {
    return [this.queries.describe()];
  }

  queryTimeSeries(query: TimeSeriesQuery): Promise<readonly TimeSeries[]> {
    return this.queries.timeSeries(query);
  }

  queryTable(query: TableQuery): Promise<TableResult> {
    return this.queries.table(query);
  }

  /**
   * Runs `attempt`; on SQLite, again after a pause as long as it fails because another connection
   * locks the file (up to `lockWaitMs`, or until `signal` or stop() aborts). On PostgreSQL, once.
   */
  private waitingOutLocks<T>(what: string, attempt: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.lockWait ? this.lockWait.run(what, attempt, [signal, this.stopped.signal]) : attempt();
  }

  /** One attempt at the batch's transaction; rolled back entirely when any statement fails. */
  private async writeRows(dataSource: DataSource, rows: unknown[][], deletes: unknown[][], what: string, signal: AbortSignal | undefined): Promise<void> {
    if (this.postgresWriter) return this.postgresWriter.write((dataSource.driver as unknown as { master: pg.Pool }).master, rows, what, signal, deletes);
    this.sqliteWriter!.write((dataSource.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection, rows, what, deletes);
  }

  private async read(sql: string, parameters: unknown[]): Promise<Array<Record<string, unknown>>> {
    this.started();
    const what = `querying "${tablePath(this.definition)}"`;
    const run = async () => {
      const dataSource = this.started();
      try {
        return (await dataSource.query(sql, parameters)) as Array<Record<string, unknown>>;
      } catch (error) {
        throw batchError(error, this.config.driver, what);
      }
    };
    return this.config.driver === 'sqlite' ? this.waitingOutLocks(what, () => this.lock.run(run)) : run();
  }

  private started(): DataSource {
    if (!this.dataSource?.isInitialized) {
      throw new RecordError(`sql sink "${this.definition.table}" is ${this.stopping ? 'stopped' : 'not started'}`, { retryable: true });
    }
    return this.dataSource;
  }

  private dataSourceOptions(): DataSourceOptions {
    if (this.config.driver === 'sqlite') {
      const database = this.sqliteFile();
      const synchronous = this.config.synchronous.toUpperCase();
      const wal = database !== ':memory:';
      return {
        type: 'better-sqlite3',
        database,
        // Synchronous driver: a long busy timeout would freeze the process; SqliteLockWait waits instead.
        timeout: SQLITE_BUSY_TIMEOUT_MS,
        // WAL is switched on below rather than through TypeORM's enableWAL, so that a failure closes the connection.
        enableWAL: false,
        prepareDatabase: (db: { pragma(source: string): unknown; close(): unknown }) => {
          try {
            db.pragma(`synchronous = ${synchronous}`);
            if (wal) db.pragma('journal_mode = WAL');
          } catch (error) {
            // TypeORM does not close the connection of a failed initialize; start() tries again with a new one.
            db.close();
            throw error;
          }
        },
        synchronize: false,
        logging: false,
        entities: [],
      };
    }
    return {
      type: 'postgres',
      url: this.config.url!,
      poolSize: this.config.poolSize,
      connectTimeoutMS: this.config.connectTimeoutMs,
      applicationName: this.applicationName(),
      synchronize: false,
      logging: false,
      entities: [],
    };
  }

  /** PostgreSQL's application_name of the sink's connections (pg_stat_activity shows it). */
  private applicationName(): string {
    return `sluice:${this.context.pipeline}`;
  }

  private connectionError(error: unknown): RecordError {
    // No cause: driver errors for a bad URL can carry the URL itself (e.g. TypeError.input).
    const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
    const where = this.config.driver === 'sqlite' ? `SQLite database ${this.config.database}` : 'PostgreSQL';
    return new RecordError(`sql sink: cannot open ${where}${code ? ` [${code}]` : ''}: ${this.redact(describeError(error))}`, {
      retryable: true,
      details: { driver: this.config.driver, ...(code ? { code } : {}) },
    });
  }

  /** Removes the connection URL and its password from a message, should a driver have echoed them. */
  private redact(message: string): string {
    const url = this.config.url;
    if (!url) return message;
    let out = message.split(url).join('<url>');
    try {
      const password = decodeURIComponent(new URL(url).password);
      if (password) out = out.split(password).join('***');
    } catch {
      // An unparsable URL was already replaced as a whole.
    }
    return out;
  }
}
