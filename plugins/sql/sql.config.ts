import { Field } from '@sluice/sdk';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';

/** The column types the sink can declare, convert values to and create tables with. */
export const SQL_COLUMN_TYPES = ['string', 'text', 'integer', 'bigint', 'float', 'boolean', 'timestamp', 'json'] as const;
export type SqlColumnType = (typeof SQL_COLUMN_TYPES)[number];

export const SQL_DRIVERS = ['sqlite', 'postgres'] as const;
export type SqlDriverName = (typeof SQL_DRIVERS)[number];

/**
 * Table, schema and column names: a letter or underscore, then letters, digits and underscores, at
 * most 63 characters (PostgreSQL's limit). Names are quoted in SQL anyway; the restriction keeps
 * them portable and makes sure nothing a user typed can ever change the meaning of a statement.
 */
export const SQL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const IDENTIFIER_MESSAGE = 'must be a SQL identifier: a letter or "_", then letters, digits or "_", at most 63 characters';

/** One column of the target table. */
export class SqlColumnConfig {
  @Field({ description: 'Column name in the table.', example: 'order_id' })
  @IsString()
  @Matches(SQL_IDENTIFIER, { message: `name ${IDENTIFIER_MESSAGE}` })
  name: string;

  @Field({
    description:
      'Column type: string (varchar, see `length`), text, integer (32-bit), bigint (64-bit), float (double precision), ' +
      'boolean, timestamp (ISO-8601 strings or epoch milliseconds; stored as epoch ms in SQLite and timestamptz in PostgreSQL) ' +
      'or json (any JSON value; text in SQLite, jsonb in PostgreSQL).',
    example: 'integer',
  })
  @IsIn([...SQL_COLUMN_TYPES])
  type: SqlColumnType;

  @Field({
    description:
      'Whether the column may be NULL. When false (the default), a record whose value for this column is missing or null ' +
      'fails on its own (it is dead-lettered) and the rest of its batch is stored.',
  })
  @IsOptional()
  @IsBoolean()
  nullable = false;

  @Field({
    description:
      'Dotted path into the record value the column is read from, e.g. `customer.address.city` (array elements by index: ' +
      '`items.0.sku`). Default: the column name, as a top-level field of the value.',
    example: 'customer.id',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[^.]+(\.[^.]+)*$/, { message: 'from must be a dotted path such as "a.b.c" (no empty segments)' })
  from?: string;

  @Field({
    description:
      'Only for `string` columns: the maximum length in characters (varchar(length)). A longer value makes its record fail. ' +
      'Default: no limit.',
    example: 64,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10485760)
  length?: number;
}

/** Config of the `sql` sink. */
export class SqlSinkConfig {
  @Field({ description: 'Database engine: `sqlite` (embedded, through better-sqlite3) or `postgres` (through pg).' })
  @IsIn([...SQL_DRIVERS])
  driver: SqlDriverName = 'sqlite';

  @Field({
    description:
      'SQLite only: the database file, relative to the folder of the config file (parent folders are created), or ' +
      '`:memory:` for a database that lives as long as the sink. Files are opened in WAL mode.',
    example: 'data/orders.db',
  })
  @IsOptional()
  @IsString()
  database?: string;

  @Field({
    description:
      'PostgreSQL only: connection URL, e.g. `postgres://user:password@host:5432/dbname`. Secret: never logged or shown.',
    example: 'postgres://postgres@127.0.0.1:5432/test',
    secret: true,
  })
  @IsOptional()
  @IsString()
  url?: string;

  @Field({
    description: 'PostgreSQL only: the schema holding the table (created when missing and `createTable` is on). Default: the search path (normally `public`).',
    example: 'analytics',
  })
  @IsOptional()
  @IsString()
  @Matches(SQL_IDENTIFIER, { message: `schema ${IDENTIFIER_MESSAGE}` })
  schema?: string;

  @Field({ description: 'The table records are written to; also the dataset name for queries.', example: 'orders' })
  @IsString()
  @Matches(SQL_IDENTIFIER, { message: `table ${IDENTIFIER_MESSAGE}` })
  table: string;

  @Field({
    description: 'The columns of the table and where each one is read from in the record value.',
    nested: () => SqlColumnConfig,
    example: [
      { name: 'id', type: 'string' },
      { name: 'amount', type: 'float', from: 'order.total' },
    ],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => SqlColumnConfig)
  columns: SqlColumnConfig[];

  @Field({
    description:
      'Names of the columns forming the key: the primary key of a created table and the conflict target of upserts ' +
      '(writing a record whose key exists replaces the stored row). Required in `upsert` mode.',
    example: ['id'],
  })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  key: string[] = [];

  @Field({
    description:
      'A `timestamp` column holding event time: time-series queries bucket on it and table queries restrict `from`/`to` ' +
      'on it. A created table gets an index on it; when the table has an index led by this column, time series read each ' +
      'bucket through it (no sort of the whole range). Default: none (time-series queries are refused).',
    example: 'created_at',
  })
  @IsOptional()
  @IsString()
  timeColumn?: string;

  @Field({
    description:
      'Create the table (and, on PostgreSQL, the schema) from the declared columns when it does not exist. When off, ' +
      'the table must exist; either way start() checks that it has every declared column and a unique constraint on the key.',
  })
  @IsOptional()
  @IsBoolean()
  createTable = true;

  @Field({
    description:
      '`upsert` (default): INSERT ... ON CONFLICT (key) DO UPDATE, so redelivered records replace their row and writes are ' +
      'idempotent; within one batch the last record of a key wins. `insert`: plain INSERT; a duplicate key fails the batch.',
  })
  @IsOptional()
  @IsIn(['upsert', 'insert'])
  mode: 'upsert' | 'insert' = 'upsert';

  @Field({
    description:
      'Upsert mode: a record whose value is null (a Kafka tombstone) deletes the row of its key, in the same transaction and the same last-one-wins order as the upserts. ' +
      'The record key gives the key: the value of the key column as text (numbers and booleans read from it) with one key column; a JSON object with every key column with several. ' +
      'A tombstone whose key names no row is a no-op; one without a usable key is dead-lettered, naming why. false: a null value is dead-lettered like any record without its columns.',
  })
  @IsOptional()
  @IsBoolean()
  deleteOnNull = true;

  @Field({
    description:
      'SQLite files only: `full` (default) syncs the WAL to disk at every commit, so an acknowledged batch survives a power ' +
      'loss; `normal` syncs only at checkpoints, which is faster for small batches and still survives a process crash, ' +
      'but may lose the last batches on an OS crash or power loss.',
  })
  @IsOptional()
  @IsIn(['full', 'normal'])
  synchronous: 'full' | 'normal' = 'full';

  @Field({
    description:
      'SQLite files only: how long a write, a query or the table preparation at start waits, in milliseconds, while ' +
      'another connection (another process, the sqlite3 CLI holding a transaction open) locks the database. The sink ' +
      'never blocks the process meanwhile: SQLite\'s own busy timeout is a few milliseconds, and on SQLITE_BUSY / ' +
      'SQLITE_LOCKED the sink rolls back and retries the whole transaction (the whole batch, still atomic) after short ' +
      'pauses (5 ms doubling up to 100 ms). Health checks and other pipelines keep running, and queries are not held up ' +
      'by a waiting write (WAL readers do not need the write lock). Past this bound the write fails with an error naming ' +
      'the database file and saying it is locked by another connection; the runtime retries it with backoff (the stage ' +
      'shows `degraded`) and dead-letters nothing. A write also stops waiting when the runtime cancels it (`writeTimeoutMs`, ' +
      'shutdown). 0: fail at the first SQLITE_BUSY.',
    example: 30000,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  lockWaitMs = 30_000;

  @Field({ description: 'PostgreSQL only: the maximum number of pooled connections (writes use one at a time; queries may use the others).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  poolSize = 4;

  @Field({
    description:
      'PostgreSQL only: how long to wait for a connection, in milliseconds, before the write or query fails (and is retried). ' +
      'Also bounds the cancellation of a write the runtime gave up on (`writeTimeoutMs`, shutdown): the sink opens a separate ' +
      'connection within this time to cancel the running statement on the server (`pg_cancel_backend`), and closes the ' +
      'write\'s connection when the statement has not ended within twice this time.',
  })
  @IsOptional()
  @IsInt()
  @Min(100)
  connectTimeoutMs = 5000;

  @Field({
    description:
      'PostgreSQL only: batches of at least this many rows (after records that fail conversion are set aside and records ' +
      'sharing a key are collapsed into the last one) are loaded with `COPY ... FROM STDIN` instead of multi-row INSERTs: ' +
      'in upsert mode into a temporary table of the declared columns, then merged with one `INSERT ... SELECT ... ON ' +
      'CONFLICT (key) DO UPDATE`; in insert mode straight into the table. Same transaction, same result and same errors ' +
      'as the INSERT path (a batch is atomic; a constraint or data error rolls it back and the runtime isolates the bad ' +
      'records one by one). Measured on 200-byte upserts, 2 shared cores: 2-4 times the rows per second of INSERTs for batches ' +
      'of 2000-10000 (less when the server is busy), about even at 250-500 rows (below that, the fixed cost of the temporary table outweighs the gain). The default, ' +
      '500, is also the most rows one multi-row INSERT takes. 1: always COPY; a value above the largest batch ' +
      '(`batch.maxRecords`): never (for servers or poolers without COPY support).',
    example: 500,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  copyThreshold = 500;
}
