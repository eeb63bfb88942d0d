import {
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
import cassandra from 'cassandra-driver';
import type { CassandraSinkConfig } from './cassandra.config.js';
import { createKeyspaceStatement, createTableStatement, deleteStatement, insertStatement, KEYSPACE_EXISTS, RELEASE_VERSION, TABLE_COLUMNS } from './cql-statements.js';
import { classifyDriverError, describeDriverError, driverRecordError } from './driver-error.js';
import { PartitionedWriter, type WriteUnit } from './partitioned-writer.js';
import { RecordRows } from './record-rows.js';
import { checkTableSchema, tableDefinition, tableName, type SchemaColumnRow, type TableDefinition } from './table-definition.js';
import { TableQueries } from './table-queries.js';

/** Waits between attempts to reach a node that went down: from half a second, doubling, to 5 s. */
const RECONNECT_BASE_MS = 500;
const RECONNECT_MAX_MS = 5_000;

const { Client, types } = cassandra;
type CassandraClient = InstanceType<typeof Client>;

const SCHEMA_POLL_MS = 200;

/**
 * The `cassandra` sink: writes records as rows of one Cassandra table through cassandra-driver, and
 * answers queries over that table.
 *
 * Writes are prepared INSERTs, which Cassandra applies as upserts: writing a row again with the same
 * primary key replaces its values, so redelivered records are harmless and every statement is marked
 * idempotent (the driver may then retry it on another node after a timeout). Up to `concurrency`
 * statements are in flight; rows of one partition go together as unlogged batches. A record whose
 * values do not convert, or that the server refuses on its own (InvalidQuery), fails alone and is
 * dead-lettered; the rest of its batch is stored. Timeouts and unavailable replicas are retried
 * here a few times, then fail the whole write retryably, so that an outage dead-letters nothing.
 */
export class CassandraSink implements Sink, Queryable {
  private readonly definition: TableDefinition;
  private readonly name: string;
  private readonly insertCql: string;
  private readonly deleteCql: string;
  private readonly rows: RecordRows;
  private readonly writer: PartitionedWriter;
  private readonly queries: TableQueries;
  private readonly writeOptions: { prepare: true; isIdempotent: true; consistency: number };
  private readonly inFlight = new Set<Promise<unknown>>();
  private client: CassandraClient | undefined;
  private stopped = false;
  private lastStartError: string | undefined;

  constructor(
    private readonly config: CassandraSinkConfig,
    private readonly context: PluginContext,
  ) {
    this.definition = tableDefinition(config);
    this.name = tableName(this.definition);
    this.insertCql = insertStatement(this.definition);
    this.deleteCql = deleteStatement(this.definition);
    this.rows = new RecordRows(this.definition, config.nullValues, config.deleteOnNull);
    this.writeOptions = { prepare: true, isIdempotent: true, consistency: types.consistencies[config.consistency] };
    this.writer = new PartitionedWriter({
      concurrency: config.concurrency,
      maxBatchRows: config.partitionBatchRows,
      retries: config.writeRetries,
      retryBackoffMs: config.retryBackoffMs,
      execute: (unit) => this.executeUnit(unit),
      isRetryable: (error) => classifyDriverError(error).retryable,
    });
    this.queries = new TableQueries(this.definition, (cql, params) => this.readRows(cql, params), config.queryMaxRows);
  }

  async start(): Promise<void> {
    this.stopped = false;
    // Started again without a stop (a restart after a failure): drop the previous connections.
    const previous = this.client;
    this.client = undefined;
    if (previous) await previous.shutdown().catch(() => undefined);
    const client = new Client(this.clientOptions());
    try {
      await client.connect();
      await this.prepareSchema(client);
    } catch (error) {
      await client.shutdown().catch(() => undefined);
      const failure = error instanceof RecordError ? error : driverRecordError(error, `cassandra sink: connecting to ${this.config.contactPoints.join(', ')}`);
      this.lastStartError = failure.message;
      throw failure;
    }
    this.lastStartError = undefined;
    this.client = client;
  }

  async write(batch: readonly SluiceRecord[]): Promise<void | SinkWriteResult> {
    this.started();
    const { rows, failed } = this.rows.encode(batch);
    const failures: Array<{ index: number; error: RecordError }> = failed;
    if (rows.length > 0) {
      const writing = this.writer.write(rows);
      this.inFlight.add(writing);
      const outcome = await writing.finally(() => this.inFlight.delete(writing));
      if (outcome.unavailable.length > 0) {
        const first = driverRecordError(outcome.unavailable[0].error, `writing to ${this.name}`);
        throw new RecordError(
          `${outcome.unavailable.length} of ${rows.length} rows could not be written to ${this.name} (after ${this.config.writeRetries} retries); ` +
            `${first.message}. The batch is retried whole; rows already written are written again, which upserts make harmless`,
          { retryable: true, cause: outcome.unavailable[0].error, details: first.details },
        );
      }
      for (const { row, error } of outcome.refused) {
        const reason = driverRecordError(error, `writing to ${this.name}`);
        for (const index of row.indexes) failures.push({ index, error: reason });
      }
    }
    return failures.length > 0 ? { failed: failures.sort((a, b) => a.index - b.index) } : undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // Let the writes in flight finish, then close.
    await Promise.allSettled([...this.inFlight]);
    const client = this.client;
    this.client = undefined;
    if (client) await client.shutdown();
  }

  async health(): Promise<HealthReport> {
    const details: Record<string, unknown> = {
      contactPoints: this.config.contactPoints,
      localDataCenter: this.config.localDataCenter,
      keyspace: this.definition.keyspace,
      table: this.definition.table,
    };
    const client = this.client;
    if (!client) return { status: 'down', details: { ...details, reason: this.stopped ? 'stopped' : (this.lastStartError ?? 'not started') } };
    try {
      const options = { prepare: true, isIdempotent: true, consistency: types.consistencies.localOne };
      const local = await client.execute(RELEASE_VERSION, [], options);
      const keyspace = await client.execute(KEYSPACE_EXISTS, [this.definition.keyspace], options);
      const hosts = client.hosts.values();
      const nodes = { releaseVersion: local.first()?.get('release_version') ?? null, hostsUp: hosts.filter((h) => h.isUp()).length, hosts: hosts.length };
      if (keyspace.rowLength === 0) return { status: 'down', details: { ...details, ...nodes, reason: `keyspace ${this.definition.keyspace} does not exist` } };
      return { status: 'up', details: { ...details, ...nodes } };
    } catch (error) {
      return { status: 'down', details: { ...details, reason: describeDriverError(error) } };
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

  private executeUnit(unit: WriteUnit): Promise<unknown> {
    const client = this.started();
    const cql = (row: WriteUnit[number]) => (row.delete ? this.deleteCql : this.insertCql);
    if (unit.length === 1) return client.execute(cql(unit[0]), unit[0].params, this.writeOptions);
    return client.batch(
      unit.map((row) => ({ query: cql(row), params: row.params })),
      { ...this.writeOptions, logged: false },
    );
  }

  private async *readRows(cql: string, params: unknown[]): AsyncGenerator<Record<string, unknown>> {
    const client = this.started();
    const what = `querying ${this.name}`;
    let result: cassandra.types.ResultSet;
    try {
      result = await client.execute(cql, params, { prepare: true, isIdempotent: true, consistency: this.writeOptions.consistency, fetchSize: this.config.queryPageSize });
    } catch (error) {
      throw driverRecordError(error, what);
    }
    const rows = result[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<cassandra.types.Row>;
      try {
        next = await rows.next();
      } catch (error) {
        throw driverRecordError(error, what);
      }
      if (next.done) return;
      yield next.value as unknown as Record<string, unknown>;
    }
  }

  /** Creates the keyspace and table when configured, waits for schema agreement, and checks the table. */
  private async prepareSchema(client: CassandraClient): Promise<void> {
    const { keyspace } = this.definition;
    const system = { prepare: true, consistency: types.consistencies.localOne };
    let changed = false;
    const keyspaceExists = async () => (await client.execute(KEYSPACE_EXISTS, [keyspace], system)).rowLength > 0;
    if (!(await keyspaceExists())) {
      if (!this.config.createKeyspace) {
        throw new RecordError(`cassandra sink: keyspace ${keyspace} does not exist (create it, or set createKeyspace)`, { retryable: false });
      }
      await this.runDdl(client, createKeyspaceStatement(keyspace, this.config.createKeyspace), `creating keyspace ${keyspace}`);
      this.context.logger.info({ keyspace, replication: { ...this.config.createKeyspace } }, 'created keyspace');
      changed = true;
    }
    const columns = async () => (await client.execute(TABLE_COLUMNS, [keyspace, this.definition.table], system)).rows as unknown as SchemaColumnRow[];
    let existing = await columns();
    if (existing.length === 0 && this.config.createTable) {
      await this.runDdl(client, createTableStatement(this.definition), `creating table ${this.name}`);
      this.context.logger.info({ keyspace, table: this.definition.table }, 'created table');
      changed = true;
    }
    if (changed) {
      await this.awaitSchemaAgreement(client);
      existing = await columns();
    }
    const problems = checkTableSchema(this.definition, existing);
    if (problems.length > 0) throw new RecordError(`cassandra sink: ${problems.join('; ')}`, { retryable: false });
  }

  private async runDdl(client: CassandraClient, cql: string, what: string): Promise<void> {
    try {
      await client.execute(cql, [], { consistency: types.consistencies.localQuorum });
    } catch (error) {
      throw driverRecordError(error, `cassandra sink: ${what}`);
    }
  }

  /** Waits until every node reports the same schema version (the driver already waits up to the same limit after each DDL). */
  private async awaitSchemaAgreement(client: CassandraClient): Promise<void> {
    const metadata = client.metadata as unknown as { checkSchemaAgreement(): Promise<boolean> };
    const deadline = Date.now() + this.config.schemaAgreementTimeoutMs;
    while (!(await metadata.checkSchemaAgreement())) {
      if (Date.now() >= deadline) {
        throw new RecordError(`cassandra sink: the nodes do not agree on the schema of ${this.name} after ${this.config.schemaAgreementTimeoutMs} ms`, { retryable: true });
      }
      await new Promise((resolve) => setTimeout(resolve, SCHEMA_POLL_MS));
    }
  }

  private started(): CassandraClient {
    if (!this.client) throw new RecordError(`cassandra sink ${this.name} is ${this.stopped ? 'stopped' : 'not started'}`, { retryable: true });
    return this.client;
  }

  private clientOptions(): ConstructorParameters<typeof Client>[0] {
    const { config } = this;
    return {
      contactPoints: config.contactPoints,
      localDataCenter: config.localDataCenter,
      ...(config.username !== undefined ? { credentials: { username: config.username, password: config.password ?? '' } } : {}),
      applicationName: `sluice:${this.context.pipeline}`,
      encoding: { map: Map, useUndefinedAsUnset: true },
      queryOptions: { consistency: types.consistencies[config.consistency], prepare: true },
      socketOptions: { connectTimeout: config.connectTimeoutMs, readTimeout: config.requestTimeoutMs },
      protocolOptions: { maxSchemaAgreementWaitSeconds: Math.max(1, Math.ceil(config.schemaAgreementTimeoutMs / 1000)) },
      // Back to a node that was down within seconds of its return: the driver's default waits grow
      // to 10 minutes, which kept the sink failing for minutes after a 30 s outage.
      policies: { reconnection: new cassandra.policies.reconnection.ExponentialReconnectionPolicy(RECONNECT_BASE_MS, RECONNECT_MAX_MS, false) },
    };
  }
}
