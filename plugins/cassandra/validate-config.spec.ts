import { describeConfig, prepare, secretFieldNames, validateConfig } from '@sluice/sdk';
import cassandraSink, { CassandraSinkConfig } from './index.js';
import { validateCassandraConfig } from './validate-config.js';

const base = {
  contactPoints: ['127.0.0.1:9042'],
  keyspace: 'pokemon_data',
  table: 'raw_pokemon',
  columns: [
    { name: 'id', type: 'int' },
    { name: 'types', type: 'list<text>' },
    { name: 'stats', type: 'map<text,int>' },
    { name: 'timestamp', type: 'timestamp' },
  ],
  partitionKey: ['id'],
};

function issuesOf(raw: Record<string, unknown>) {
  const { config, issues } = validateConfig(CassandraSinkConfig, raw);
  return [...issues, ...(issues.length === 0 ? validateCassandraConfig(config) : [])];
}

describe('cassandra sink config', () => {
  it('accepts a minimal config and fills the defaults', () => {
    const { config, issues } = validateConfig(CassandraSinkConfig, base);
    expect(issues).toEqual([]);
    expect(validateCassandraConfig(config)).toEqual([]);
    expect(config).toMatchObject({
      localDataCenter: 'datacenter1',
      createTable: true,
      clusteringKey: [],
      concurrency: 32,
      partitionBatchRows: 20,
      consistency: 'localQuorum',
      nullValues: 'unset',
      writeRetries: 2,
    });
    expect(config.createKeyspace).toBeUndefined();
  });

  it('requires contact points as host or host:port', () => {
    const missing = issuesOf({ ...base, contactPoints: undefined });
    expect(new Set(missing.map((i) => i.path))).toEqual(new Set(['contactPoints']));
    expect(missing.map((i) => i.message)).toContain('must be an array');
    expect(issuesOf({ ...base, contactPoints: [] }).map((i) => i.path)).toEqual(['contactPoints']);
    expect(issuesOf({ ...base, contactPoints: ['cassandra-1', '10.0.0.2:9042', '[::1]:9042'] })).toEqual([]);
    expect(issuesOf({ ...base, contactPoints: ['http://x:9042'] })).toEqual([
      { path: 'contactPoints', message: 'each contact point must be host or host:port (IPv6 as [address]:port)' },
    ]);
  });

  it('validates CQL types against the grammar, naming the column', () => {
    const issues = issuesOf({ ...base, columns: [...base.columns, { name: 'nested', type: 'list<list<int>>' }, { name: 'odd', type: 'string' }] });
    expect(issues).toEqual([
      { path: 'columns[4].type', message: 'a collection inside a collection must be frozen: write frozen<list<...>> (at character 6 of "list<list<int>>")' },
      { path: 'columns[5].type', message: expect.stringMatching(/^unknown type "string"/) },
    ]);
  });

  it('refuses names that are not CQL identifiers', () => {
    const issues = issuesOf({ ...base, keyspace: 'pokemon-data', table: 't"; DROP', columns: [{ name: '1st', type: 'int' }], partitionKey: ['1st'] });
    expect(issues.map((i) => i.path)).toEqual(['keyspace', 'table', 'columns[0].name']);
  });

  it('checks the primary key and time column against the declared columns', () => {
    const issues = issuesOf({
      ...base,
      columns: [...base.columns, { name: 'ID', type: 'text' }],
      partitionKey: ['idd', 'types'],
      clusteringKey: [{ column: 'id' }, { column: 'types', order: 'desc' }, { column: 'stats', order: 'up' }],
      timeColumn: 'id',
    });
    expect(issues).toEqual([
      { path: 'clusteringKey[2].order', message: 'must be one of the following values: asc, desc' },
    ]);
    const crossField = issuesOf({
      ...base,
      columns: [...base.columns, { name: 'ID', type: 'text' }],
      partitionKey: ['idd', 'types'],
      clusteringKey: [{ column: 'id' }, { column: 'types', order: 'desc' }],
      timeColumn: 'id',
    });
    expect(crossField).toEqual([
      { path: 'columns[4].name', message: '"ID" is declared twice (also columns[0], names differing only in case are refused)' },
      { path: 'partitionKey[0]', message: 'unknown column "idd" (did you mean "id"?); declared: id, types, stats, timestamp, ID' },
      { path: 'partitionKey[1]', message: 'partition key column "types" is list<text>: a collection in the primary key must be frozen (frozen<list<text>>)' },
      { path: 'clusteringKey[1].column', message: '"types" is already part of the primary key (partitionKey[1])' },
      { path: 'clusteringKey[1].column', message: 'clustering column "types" is list<text>: a collection in the primary key must be frozen (frozen<list<text>>)' },
      { path: 'timeColumn', message: 'must be a timestamp column, "id" is int' },
    ]);
    expect(issuesOf({ ...base, timeColumn: 'when' })).toEqual([{ path: 'timeColumn', message: expect.stringMatching(/^unknown column "when"/) }]);
    expect(issuesOf({ ...base, partitionKey: [] }).map((i) => i.path)).toEqual(['partitionKey']);
  });

  it('checks replication settings against the strategy', () => {
    expect(issuesOf({ ...base, createKeyspace: { strategy: 'SimpleStrategy' } })).toEqual([{ path: 'createKeyspace.replicationFactor', message: 'required with SimpleStrategy' }]);
    expect(issuesOf({ ...base, createKeyspace: { replicationFactor: 1, dataCenters: { dc1: 1 } } })).toEqual([
      { path: 'createKeyspace.dataCenters', message: 'only applies to NetworkTopologyStrategy' },
    ]);
    expect(issuesOf({ ...base, createKeyspace: { strategy: 'NetworkTopologyStrategy' } })).toEqual([
      { path: 'createKeyspace', message: 'NetworkTopologyStrategy needs dataCenters (copies per data centre) or replicationFactor (copies in every data centre)' },
    ]);
    expect(issuesOf({ ...base, createKeyspace: { strategy: 'NetworkTopologyStrategy', dataCenters: { dc1: 3, "x'y": 1, dc2: 1.5 } } })).toEqual([
      { path: "createKeyspace.dataCenters.x'y", message: 'a data centre name: letters, digits, ".", "-" or "_"' },
      { path: 'createKeyspace.dataCenters.dc2', message: 'must be an integer from 0 to 100, got 1.5' },
    ]);
    expect(issuesOf({ ...base, createKeyspace: { strategy: 'LocalStrategy', replicationFactor: 1 } }).map((i) => i.path)).toEqual(['createKeyspace.strategy']);
  });

  it('wants username and password together, and never echoes the password', () => {
    const issues = issuesOf({ ...base, password: 'hunter2' });
    expect(issues).toEqual([{ path: 'username', message: 'username and password go together: give both or neither' }]);
    expect(JSON.stringify(issues)).not.toContain('hunter2');
    expect(issuesOf({ ...base, username: 'sluice', password: 'hunter2' })).toEqual([]);
  });

  it('reports unknown fields and bad limits', () => {
    expect(issuesOf({ ...base, tabel: 'x', concurrency: 0, consistency: 'LOCAL_QUORUM' }).map((i) => i.path).sort()).toEqual(['concurrency', 'consistency', 'tabel']);
  });

  it('documents every field, marks the password secret, and validates through the harness and its examples', () => {
    const docs = describeConfig(CassandraSinkConfig);
    for (const field of docs) expect(field.description.length).toBeGreaterThan(20);
    for (const field of docs.flatMap((f) => f.fields ?? [])) expect(field.description.length).toBeGreaterThan(20);
    expect(secretFieldNames(CassandraSinkConfig)).toEqual(['password']);
    expect(docs.find((f) => f.name === 'contactPoints')?.required).toBe(true);
    expect(() => prepare(cassandraSink, { ...base, partitionKey: ['nope'] })).toThrow(/partitionKey\[0\]: unknown column "nope"/);
    expect(cassandraSink.examples?.length).toBeGreaterThanOrEqual(3);
    for (const example of cassandraSink.examples ?? []) expect(issuesOf(example.config)).toEqual([]);
  });
});
