import { validateConfig } from '@sluice/sdk';
import { CassandraSinkConfig } from './cassandra.config.js';
import { checkTableSchema, primaryKeyColumns, tableDefinition, type SchemaColumnRow } from './table-definition.js';

const definition = () => {
  const { config, issues } = validateConfig(CassandraSinkConfig, {
    contactPoints: ['127.0.0.1'],
    keyspace: 'ks',
    table: 't',
    columns: [
      { name: 'type', type: 'varchar' },
      { name: 'id', type: 'int', from: 'pokemon.id' },
      { name: 'stats', type: 'map<text,int>' },
      { name: 'at', type: 'timestamp' },
    ],
    partitionKey: ['type'],
    clusteringKey: [{ column: 'id', order: 'desc' }],
    timeColumn: 'at',
  });
  expect(issues).toEqual([]);
  return tableDefinition(config);
};

const row = (column_name: string, type: string, kind = 'regular', position = -1, clustering_order = 'none'): SchemaColumnRow => ({ column_name, type, kind, position, clustering_order });
const matching = () => [
  row('type', 'text', 'partition_key', 0),
  row('id', 'int', 'clustering', 0, 'desc'),
  row('stats', 'map<text, int>'),
  row('at', 'timestamp'),
];

describe('table definition', () => {
  it('resolves types, paths and keys from the config', () => {
    const table = definition();
    expect(table.columns.map((c) => [c.name, c.typeText, c.path.join('.')])).toEqual([
      ['type', 'text', 'type'],
      ['id', 'int', 'pokemon.id'],
      ['stats', 'map<text, int>', 'stats'],
      ['at', 'timestamp', 'at'],
    ]);
    expect(primaryKeyColumns(table)).toEqual(['type', 'id']);
    expect(table.timeColumn).toBe('at');
  });

  it('accepts an existing table that fits, with extra columns', () => {
    expect(checkTableSchema(definition(), [...matching(), row('extra', 'frozen<tuple<int, int>>')])).toEqual([]);
  });

  it('reports a missing table', () => {
    expect(checkTableSchema(definition(), [])).toEqual(['table ks.t does not exist (set createTable: true to create it)']);
  });

  it('reports missing columns, other types and another primary key', () => {
    const rows = [
      row('type', 'text', 'partition_key', 0),
      row('id', 'int', 'partition_key', 1),
      row('stats', 'frozen<map<text, int>>'),
    ];
    expect(checkTableSchema(definition(), rows)).toEqual([
      'column "stats" of table ks.t is frozen<map<text, int>>, the config declares map<text, int>',
      'table ks.t has no column "at" (it has: type, id, stats)',
      'table ks.t has the partition key (type, id), the config declares (type)',
      'table ks.t has the clustering key (none), the config declares (id desc)',
    ]);
  });

  it('reports another clustering order', () => {
    const rows = matching().map((r) => (r.column_name === 'id' ? { ...r, clustering_order: 'asc' } : r));
    expect(checkTableSchema(definition(), rows)).toEqual(['table ks.t has the clustering key (id asc), the config declares (id desc)']);
  });
});
