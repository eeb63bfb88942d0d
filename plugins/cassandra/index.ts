import { defineSink } from '@sluice/sdk';
import { CassandraSinkConfig } from './cassandra.config.js';
import { CassandraSink } from './cassandra-sink.js';
import { validateCassandraConfig } from './validate-config.js';

export { CassandraSinkConfig, CassandraColumnConfig, CassandraClusteringColumnConfig, CassandraKeyspaceCreationConfig } from './cassandra.config.js';
export { CassandraSink } from './cassandra-sink.js';

export default defineSink({
  name: 'cassandra',
  capabilities: { queryable: true },
  version: '1.0.0',
  description:
    'Writes records as rows of a Cassandra table (prepared, idempotent upserts; concurrent, with unlogged batches per partition), ' +
    'creates the keyspace and table from config, and answers time-series and table queries over it.',
  config: CassandraSinkConfig,
  validate: (config) => validateCassandraConfig(config),
  create: (config, context) => new CassandraSink(config, context),
  examples: [
    {
      title: 'Random users (randomuser.me, flattened upstream) into spark_streams.created_users',
      config: {
        contactPoints: ['127.0.0.1:9042'],
        localDataCenter: 'datacenter1',
        keyspace: 'spark_streams',
        createKeyspace: { strategy: 'SimpleStrategy', replicationFactor: 1 },
        table: 'created_users',
        columns: [
          { name: 'id', type: 'uuid' },
          { name: 'first_name', type: 'text' },
          { name: 'last_name', type: 'text' },
          { name: 'gender', type: 'text' },
          { name: 'address', type: 'text' },
          { name: 'post_code', type: 'text' },
          { name: 'email', type: 'text' },
          { name: 'username', type: 'text' },
          { name: 'dob', type: 'text' },
          { name: 'registered_date', type: 'text' },
          { name: 'phone', type: 'text' },
          { name: 'picture', type: 'text' },
        ],
        partitionKey: ['id'],
      },
    },
    {
      title: 'Pokemon (PokeAPI, reshaped upstream) into pokemon_data.raw_pokemon, queryable by time',
      config: {
        contactPoints: ['cassandra-1:9042', 'cassandra-2:9042'],
        localDataCenter: 'dc1',
        username: 'sluice',
        password: '${CASSANDRA_PASSWORD}',
        keyspace: 'pokemon_data',
        createKeyspace: { strategy: 'NetworkTopologyStrategy', dataCenters: { dc1: 3 } },
        table: 'raw_pokemon',
        columns: [
          { name: 'id', type: 'int' },
          { name: 'name', type: 'text' },
          { name: 'height', type: 'int' },
          { name: 'weight', type: 'int' },
          { name: 'base_experience', type: 'int' },
          { name: 'types', type: 'list<text>' },
          { name: 'abilities', type: 'list<text>' },
          { name: 'stats', type: 'map<text, int>' },
          { name: 'timestamp', type: 'timestamp', from: 'fetchedAt' },
        ],
        partitionKey: ['id'],
        timeColumn: 'timestamp',
        consistency: 'localQuorum',
      },
    },
    {
      title: 'Pokemon by type: one partition per type, clustered by id (rows of a type are batched together)',
      config: {
        contactPoints: ['127.0.0.1:9042'],
        keyspace: 'pokemon_data',
        table: 'pokemon_by_type',
        columns: [
          { name: 'type', type: 'text' },
          { name: 'pokemon_id', type: 'int', from: 'id' },
          { name: 'pokemon_name', type: 'text', from: 'name' },
          { name: 'base_experience', type: 'int' },
          { name: 'timestamp', type: 'timestamp' },
        ],
        partitionKey: ['type'],
        clusteringKey: [{ column: 'pokemon_id', order: 'asc' }],
        timeColumn: 'timestamp',
      },
    },
  ],
});
