import { CommaSeparatedList, Field } from '@sluice/sdk';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateNested } from 'class-validator';

/**
 * Keyspace, table and column names: a letter, then letters, digits and underscores, at most 48
 * characters (Cassandra's limit for keyspace and table names). Names are always double-quoted in
 * CQL, so they are case-sensitive: `firstName` creates the column "firstName", not `firstname`.
 */
export const CQL_IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]{0,47}$/;
const IDENTIFIER_MESSAGE = 'must be a CQL name: a letter, then letters, digits or "_", at most 48 characters';

/** `host` or `host:port` (IPv6 in brackets: `[::1]:9042`). */
export const CONTACT_POINT = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::\d{1,5})?$/;

export const CONSISTENCY_LEVELS = ['any', 'one', 'two', 'three', 'quorum', 'all', 'localQuorum', 'eachQuorum', 'localOne'] as const;
export type ConsistencyLevel = (typeof CONSISTENCY_LEVELS)[number];

export const REPLICATION_STRATEGIES = ['SimpleStrategy', 'NetworkTopologyStrategy'] as const;
export type ReplicationStrategy = (typeof REPLICATION_STRATEGIES)[number];

/** How the sink creates its keyspace when it does not exist. */
export class CassandraKeyspaceCreationConfig {
  @Field({
    description:
      '`SimpleStrategy` (one data centre, development) places `replicationFactor` copies around the ring; ' +
      '`NetworkTopologyStrategy` (production) places copies per data centre: `dataCenters`, or `replicationFactor` in every data centre.',
    example: 'NetworkTopologyStrategy',
  })
  @IsIn([...REPLICATION_STRATEGIES])
  strategy: ReplicationStrategy = 'SimpleStrategy';

  @Field({
    description:
      'Copies of each row. Required with SimpleStrategy; with NetworkTopologyStrategy it applies to every data centre not listed in `dataCenters`.',
    example: 3,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  replicationFactor?: number;

  @Field({
    description: 'NetworkTopologyStrategy only: copies of each row per data centre, by data centre name.',
    example: { dc1: 3, dc2: 2 },
  })
  @IsOptional()
  @IsObject()
  dataCenters?: Record<string, number>;
}

/** One column of the table. */
export class CassandraColumnConfig {
  @Field({ description: 'Column name in the table (case-sensitive, always quoted in CQL).', example: 'first_name' })
  @IsString()
  @Matches(CQL_IDENTIFIER, { message: `name ${IDENTIFIER_MESSAGE}` })
  name: string;

  @Field({
    description:
      'CQL type: text (varchar), int (32-bit), bigint (64-bit), float (32-bit), double, boolean, timestamp (ISO-8601 strings or ' +
      'epoch milliseconds), uuid, timeuuid (version-1 UUID strings), date ("YYYY-MM-DD" or a timestamp, stored as its UTC day), ' +
      'decimal (exact), blob (base64 or 0x-hex strings), list<T>, set<T> (JSON arrays), map<K, V> (JSON objects), and frozen<...> ' +
      'around a collection (required for a collection inside a collection or in the primary key). A value that does not convert ' +
      'fails its own record, which is dead-lettered.',
    example: 'map<text, int>',
  })
  @IsString()
  @MinLength(1)
  type: string;

  @Field({
    description:
      'Dotted path into the record value the column is read from, e.g. `location.city` (array elements by index: `items.0.sku`). ' +
      'Default: the column name, as a top-level field of the value.',
    example: 'login.uuid',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[^.]+(\.[^.]+)*$/, { message: 'from must be a dotted path such as "a.b.c" (no empty segments)' })
  from?: string;
}

/** One clustering column: rows of a partition are stored sorted by the clustering columns. */
export class CassandraClusteringColumnConfig {
  @Field({ description: 'A declared column (not a partition key column).', example: 'pokemon_id' })
  @IsString()
  @Matches(CQL_IDENTIFIER, { message: `column ${IDENTIFIER_MESSAGE}` })
  column: string;

  @Field({ description: 'Storage order of the column inside a partition (`CLUSTERING ORDER BY`): `asc` or `desc`.' })
  @IsIn(['asc', 'desc'])
  order: 'asc' | 'desc' = 'asc';
}

/** Config of the `cassandra` sink. */
export class CassandraSinkConfig {
  @Field({
    description:
      'Nodes the driver first connects to, `host` or `host:port` (default port 9042); it discovers the rest of the cluster from them. One comma-separated string works too (e.g. `${CASSANDRA_CONTACT_POINTS}`).',
    example: ['10.0.0.1:9042', '10.0.0.2:9042'],
  })
  @CommaSeparatedList()
  @IsArray()
  @ArrayMinSize(1)
  @IsString({ each: true })
  @Matches(CONTACT_POINT, { each: true, message: 'each contact point must be host or host:port (IPv6 as [address]:port)' })
  contactPoints: string[];

  @Field({
    description: 'The data centre the driver treats as local: it sends requests only to its nodes, and `localQuorum`/`localOne` count replicas there.',
    example: 'dc1',
  })
  @IsString()
  @MinLength(1)
  localDataCenter = 'datacenter1';

  @Field({ description: 'User name for password authentication (PasswordAuthenticator). Not set: no authentication.', example: 'sluice' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  username?: string;

  @Field({ description: 'Password for `username`. Secret: never logged or shown.', secret: true })
  @IsOptional()
  @IsString()
  password?: string;

  @Field({ description: 'The keyspace holding the table. It must exist unless `createKeyspace` is set.', example: 'pokemon_data' })
  @IsString()
  @Matches(CQL_IDENTIFIER, { message: `keyspace ${IDENTIFIER_MESSAGE}` })
  keyspace: string;

  @Field({
    description:
      'Create the keyspace with this replication when it does not exist (`CREATE KEYSPACE IF NOT EXISTS`; an existing keyspace is left as it is). ' +
      'Not set (default): the keyspace must exist.',
    nested: () => CassandraKeyspaceCreationConfig,
    example: { strategy: 'SimpleStrategy', replicationFactor: 1 },
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => CassandraKeyspaceCreationConfig)
  createKeyspace?: CassandraKeyspaceCreationConfig;

  @Field({ description: 'The table records are written to; also the dataset name for queries.', example: 'raw_pokemon' })
  @IsString()
  @Matches(CQL_IDENTIFIER, { message: `table ${IDENTIFIER_MESSAGE}` })
  table: string;

  @Field({
    description: 'The columns of the table and where each one is read from in the record value.',
    nested: () => CassandraColumnConfig,
    example: [
      { name: 'id', type: 'int' },
      { name: 'types', type: 'list<text>' },
      { name: 'stats', type: 'map<text, int>' },
      { name: 'timestamp', type: 'timestamp', from: 'fetchedAt' },
    ],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => CassandraColumnConfig)
  columns: CassandraColumnConfig[];

  @Field({
    description:
      'The partition key column(s), in order: rows with equal values live in one partition, on the same replicas. ' +
      'Together with `clusteringKey` they form the primary key: writing a row whose key exists replaces its values (an upsert).',
    example: ['type'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @IsString({ each: true })
  partitionKey: string[];

  @Field({
    description: 'Clustering columns, in order, with their storage order: they sort the rows inside a partition and complete the primary key. Default: none.',
    nested: () => CassandraClusteringColumnConfig,
    example: [{ column: 'pokemon_id', order: 'asc' }],
  })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CassandraClusteringColumnConfig)
  clusteringKey: CassandraClusteringColumnConfig[] = [];

  @Field({
    description:
      'A record whose value is null (a Kafka tombstone) deletes the row of its key, in the order of the batch (a later record of the key writes it anew). ' +
      'The record key gives the primary key: the value of its one column as text (numbers read from it), or a JSON object with every partition and clustering column. ' +
      'One without a usable key is dead-lettered, naming why. false: a null value is dead-lettered like any record without its key columns.',
  })
  @IsOptional()
  @IsBoolean()
  deleteOnNull = true;

  @Field({
    description:
      'Create the table from the declared columns and keys when it does not exist (`CREATE TABLE IF NOT EXISTS`). Either way start() ' +
      'checks that the table has every declared column with the declared type, and the declared primary key.',
  })
  @IsOptional()
  @IsBoolean()
  createTable = true;

  @Field({
    description:
      'A `timestamp` column holding event time: time-series queries bucket on it and table queries restrict `from`/`to` on it. ' +
      'Range reads use ALLOW FILTERING (a scan of the table on the server) unless the query fixes the partition key and the column is ' +
      'the next clustering column. Default: none (time-series queries are refused).',
    example: 'timestamp',
  })
  @IsOptional()
  @IsString()
  timeColumn?: string;

  @Field({
    description:
      'Most statements in flight at once per batch written (an unlogged batch counts as one). Higher values raise throughput until the ' +
      'nodes saturate; lower ones spare a small cluster.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1024)
  concurrency = 32;

  @Field({
    description:
      'Most rows per unlogged batch. Rows of a batch written that share a partition key are sent together as one unlogged batch ' +
      '(one mutation of one partition on its replicas); rows of different partitions are always separate statements. 1 turns batching off.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(500)
  partitionBatchRows = 20;

  @Field({
    description:
      'Consistency level of writes and reads: how many replicas must answer. `localQuorum` (default) is a majority in the local data centre; ' +
      '`one`/`localOne` are faster and weaker; `quorum`/`eachQuorum`/`all` span data centres.',
  })
  @IsOptional()
  @IsIn([...CONSISTENCY_LEVELS])
  consistency: ConsistencyLevel = 'localQuorum';

  @Field({
    description:
      'What a missing or null value of a non-key column writes: `unset` (default) leaves the stored column as it is and writes no ' +
      'tombstone; `null` deletes the stored value (a tombstone per null). Key columns always need a value.',
  })
  @IsOptional()
  @IsIn(['unset', 'null'])
  nullValues: 'unset' | 'null' = 'unset';

  @Field({
    description:
      'How often a statement that failed with a retryable error (write timeout, unavailable replicas, no host reachable, client timeout) ' +
      'is sent again within one write, waiting `retryBackoffMs` doubled each time. If it still fails, the whole batch fails retryably ' +
      'and the runtime retries it with its own backoff (rows already written are written again: upserts are idempotent).',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10)
  writeRetries = 2;

  @Field({ description: 'Wait before the first in-write retry of failed statements, in milliseconds; doubled for each further retry.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60_000)
  retryBackoffMs = 200;

  @Field({ description: 'How long to wait for a TCP connection to a node, in milliseconds.' })
  @IsOptional()
  @IsInt()
  @Min(100)
  connectTimeoutMs = 5000;

  @Field({ description: 'How long the driver waits for a node to answer a request, in milliseconds, before it fails the request (and tries another node for idempotent ones).' })
  @IsOptional()
  @IsInt()
  @Min(100)
  requestTimeoutMs = 12_000;

  @Field({ description: 'How long start() waits, in milliseconds, for every node to agree on the schema after creating the keyspace or table.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  schemaAgreementTimeoutMs = 30_000;

  @Field({ description: 'Rows per page when queries read the table (the driver pages through the result).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  queryPageSize = 5000;

  @Field({
    description:
      'Most rows one query may read from Cassandra before it is refused (aggregation, filtering and sorting happen in the plugin, ' +
      'so a query reads every row of its range). Narrow the range or the filters, or raise this.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  queryMaxRows = 1_000_000;
}
