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
import { DataSource, type DataSourceOptions, type QueryRunner } from 'typeorm';
import { batchError } from './database-error.js';
import { sqliteFileLock } from './sqlite-file-lock.js';
import { RecordRows } from './record-rows.js';
import { SerialLock } from '@sluice/sdk';
import { dialectFor, quoteIdentifier, type SqlDialect } from './sql-dialect.js';
import type { SqlSinkConfig } from './sql.config.js';
import { TableQueries } from './table-queries.js';
import { checkTable, createTableIfMissing, tablePath, timeColumnIndexed, type TableDefinition } from './table-schema.js';
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
 * DataSource, and answers queries over that table.
 *
 * Each `write` is one transaction of multi-row `INSERT ... ON CONFLICT (key) DO UPDATE` statements
 * run through the query runner with bind parameters: atomic (a failing statement rolls the whole
 * batch back) and idempotent (redelivered records replace their rows). Writes are serialised: on
 * SQLite the one connection cannot hold two transactions, and on PostgreSQL overlapping upserts of
 * the same keys from one sink would race (deadlocks, order of "last write wins").
 */
export class SqlSink implements Sink, Queryable {
  private readonly dialect: SqlDialect;
  private readonly definition: TableDefinition;
  private readonly tableSql: string;
  private readonly rows: RecordRows;
  private readonly statement: UpsertStatement;
  private readonly queries: TableQueries;
  /**
   * Serialises writes (and, on SQLite, reads: they share the connection and its open transaction).
   * On SQLite it is shared by every sink of the process writing the same database file.
   */
  private readonly lock: SerialLock;
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
    this.rows = new RecordRows(this.definition.columns, config.driver, upsertKey);
    this.statement = new UpsertStatement(this.dialect, this.tableSql, this.definition.columns.map((c) => c.name), upsertKey);
    this.queries = new TableQueries(this.dialect, this.definition, this.tableSql, (sql, parameters) => this.read(sql, parameters));
    this.lock = config.driver === 'sqlite' ? sqliteFileLock(this.sqliteFile()) : new SerialLock();
  }

  /** The SQLite database file, absolute (relative paths are relative to the config's folder). */
  private sqliteFile(): string {
    const file = this.config.database!;
    return file === ':memory:' ? file : isAbsolute(file) ? file : resolve(this.context.configDir, file);
  }

  async start(): Promise<void> {
    this.stopping = false;
    const dataSource = new DataSource(this.dataSourceOptions());
    try {
      await dataSource.initialize();
    } catch (error) {
      throw this.connectionError(error);
    }
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
      await dataSource.destroy().catch(() => undefined);
      throw error instanceof RecordError ? error : batchError(error, this.config.driver, `preparing table "${tablePath(this.definition)}"`);
    } finally {
      if (this.config.driver === 'postgres') await runner.release().catch(() => undefined);
    }
    this.dataSource = dataSource;
  }

  async write(batch: readonly SluiceRecord[]): Promise<void | SinkWriteResult> {
    const dataSource = this.started();
    const { rows, failed } = this.rows.encode(batch);
    if (rows.length > 0) await this.lock.run(() => this.writeRows(dataSource, rows));
    return failed.length > 0 ? { failed } : undefined;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const dataSource = this.dataSource;
    if (!dataSource) return;
    // Let the write in flight finish, then close.
    await this.lock.run(async () => {
      this.dataSource = undefined;
      if (dataSource.isInitialized) await dataSource.destroy();
    });
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

  private async writeRows(dataSource: DataSource, rows: unknown[][]): Promise<void> {
    const what = `writing ${rows.length} rows to "${tablePath(this.definition)}"`;
    let runner: QueryRunner;
    try {
      runner = dataSource.createQueryRunner();
      await runner.startTransaction();
    } catch (error) {
      throw batchError(error, this.config.driver, what);
    }
    try {
      for (const { text, parameters } of this.statement.chunks(rows)) await runner.query(text, parameters);
      await runner.commitTransaction();
    } catch (error) {
      await this.rollback(runner, error);
      throw batchError(error, this.config.driver, what);
    } finally {
      // SQLite has one shared query runner for its one connection; PostgreSQL runners hold a pooled connection.
      if (this.config.driver === 'postgres') await runner.release().catch(() => undefined);
    }
  }

  /** Rolls back after a failure; when even that fails, makes sure the connection is not reused in a broken state. */
  private async rollback(runner: QueryRunner, cause: unknown): Promise<void> {
    if (!runner.isTransactionActive) return;
    try {
      await runner.rollbackTransaction();
    } catch {
      if (this.config.driver === 'postgres') {
        // The connection is gone or unusable: discard it from the pool (the server rolls back by itself).
        const pgRunner = runner as QueryRunner & { releasePostgresConnection?: (err?: unknown) => Promise<void> };
        await pgRunner.releasePostgresConnection?.(cause instanceof Error ? cause : new Error(describeError(cause)));
        return;
      }
      // SQLite already rolled back by itself (RAISE(ROLLBACK) in a trigger, SQLITE_FULL, ...), so
      // ROLLBACK fails with "no transaction is active". TypeORM's shared runner still believes a
      // transaction is open; reset its bookkeeping when the connection confirms none is.
      const connection = (this.dataSource?.driver as { databaseConnection?: { inTransaction?: boolean } } | undefined)?.databaseConnection;
      if (connection && connection.inTransaction === false) {
        Object.assign(runner, { isTransactionActive: false, transactionDepth: 0 });
      }
    }
  }

  private async read(sql: string, parameters: unknown[]): Promise<Array<Record<string, unknown>>> {
    const dataSource = this.started();
    const run = async () => {
      try {
        return (await dataSource.query(sql, parameters)) as Array<Record<string, unknown>>;
      } catch (error) {
        throw batchError(error, this.config.driver, `querying "${tablePath(this.definition)}"`);
      }
    };
    return this.config.driver === 'sqlite' ? this.lock.run(run) : run();
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
      return {
        type: 'better-sqlite3',
        database,
        enableWAL: database !== ':memory:',
        prepareDatabase: (db: { pragma(source: string): unknown }) => {
          db.pragma(`synchronous = ${synchronous}`);
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
      applicationName: `sluice:${this.context.pipeline}`,
      synchronize: false,
      logging: false,
      entities: [],
    };
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
