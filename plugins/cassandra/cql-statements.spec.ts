import { validateConfig } from '@sluice/sdk';
import { CassandraKeyspaceCreationConfig, CassandraSinkConfig } from './cassandra.config.js';
import { createKeyspaceStatement, createTableStatement, insertStatement, quoteIdentifier, selectStatement } from './cql-statements.js';
import { tableDefinition } from './table-definition.js';

function creation(raw: Record<string, unknown>): CassandraKeyspaceCreationConfig {
  return Object.assign(new CassandraKeyspaceCreationConfig(), raw);
}

const pokemonByType = () => {
  const { config, issues } = validateConfig(CassandraSinkConfig, {
    contactPoints: ['127.0.0.1:9042'],
    keyspace: 'pokemon_data',
    table: 'pokemon_by_type',
    columns: [
      { name: 'type', type: 'text' },
      { name: 'generation', type: 'int' },
      { name: 'pokemon_id', type: 'int', from: 'id' },
      { name: 'stats', type: 'map<text,int>' },
      { name: 'timestamp', type: 'timestamp' },
    ],
    partitionKey: ['type', 'generation'],
    clusteringKey: [{ column: 'pokemon_id', order: 'desc' }, { column: 'timestamp' }],
  });
  expect(issues).toEqual([]);
  return tableDefinition(config);
};

describe('CQL statements', () => {
  it('quotes identifiers', () => {
    expect(quoteIdentifier('timestamp')).toBe('"timestamp"');
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
  });

  it('creates keyspaces with SimpleStrategy or NetworkTopologyStrategy', () => {
    expect(createKeyspaceStatement('spark_streams', creation({ strategy: 'SimpleStrategy', replicationFactor: 1 }))).toBe(
      `CREATE KEYSPACE IF NOT EXISTS "spark_streams" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
    expect(createKeyspaceStatement('ks', creation({ strategy: 'NetworkTopologyStrategy', dataCenters: { dc1: 3, "eu'west": 2 } }))).toBe(
      `CREATE KEYSPACE IF NOT EXISTS "ks" WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 3, 'eu''west': 2}`,
    );
    expect(createKeyspaceStatement('ks', creation({ strategy: 'NetworkTopologyStrategy', replicationFactor: 3, dataCenters: { dc2: 1 } }))).toBe(
      `CREATE KEYSPACE IF NOT EXISTS "ks" WITH replication = {'class': 'NetworkTopologyStrategy', 'replication_factor': 3, 'dc2': 1}`,
    );
  });

  it('creates the table with a composite partition key and clustering order', () => {
    expect(createTableStatement(pokemonByType())).toBe(
      'CREATE TABLE IF NOT EXISTS "pokemon_data"."pokemon_by_type" ("type" text, "generation" int, "pokemon_id" int, "stats" map<text, int>, ' +
        '"timestamp" timestamp, PRIMARY KEY (("type", "generation"), "pokemon_id", "timestamp")) ' +
        'WITH CLUSTERING ORDER BY ("pokemon_id" DESC, "timestamp" ASC)',
    );
  });

  it('inserts every declared column as a bound parameter', () => {
    expect(insertStatement(pokemonByType())).toBe(
      'INSERT INTO "pokemon_data"."pokemon_by_type" ("type", "generation", "pokemon_id", "stats", "timestamp") VALUES (?, ?, ?, ?, ?)',
    );
  });

  it('selects declared columns with bound restrictions, limit and ALLOW FILTERING', () => {
    const table = { keyspace: 'k', table: 't' };
    expect(selectStatement(table, { columns: ['a', 'b'], where: [], allowFiltering: false, limit: false })).toBe('SELECT "a", "b" FROM "k"."t"');
    expect(
      selectStatement(table, {
        columns: ['a'],
        where: [{ column: 'p', op: 'in' }, { column: 'at', op: '>=' }, { column: 'at', op: '<=' }],
        allowFiltering: true,
        limit: true,
      }),
    ).toBe('SELECT "a" FROM "k"."t" WHERE "p" IN ? AND "at" >= ? AND "at" <= ? LIMIT ? ALLOW FILTERING');
  });
});
