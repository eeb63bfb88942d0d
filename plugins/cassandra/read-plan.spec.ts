import { validateConfig } from '@sluice/sdk';
import { CassandraSinkConfig } from './cassandra.config.js';
import { parseCqlType } from './cql-type.js';
import { cqlEncoder } from './cql-value.js';
import { planRead, type PushableFilter } from './read-plan.js';
import { tableDefinition } from './table-definition.js';

const encodeTime = cqlEncoder(parseCqlType('timestamp'));

function definition(overrides: Record<string, unknown>) {
  const { config, issues } = validateConfig(CassandraSinkConfig, {
    contactPoints: ['127.0.0.1'],
    keyspace: 'k',
    table: 't',
    columns: [
      { name: 'sensor', type: 'text' },
      { name: 'site', type: 'text' },
      { name: 'kind', type: 'text' },
      { name: 'at', type: 'timestamp' },
      { name: 'v', type: 'double' },
    ],
    partitionKey: ['sensor', 'site'],
    clusteringKey: [{ column: 'kind' }, { column: 'at', order: 'desc' }],
    timeColumn: 'at',
    ...overrides,
  });
  expect(issues).toEqual([]);
  return tableDefinition(config);
}

const eq = (column: string, encoded: unknown): PushableFilter => ({ column, op: '=', encoded });

describe('read planning', () => {
  const clustered = definition({});

  it('reads a slice of the fixed partitions without ALLOW FILTERING when the time column is the next clustering column', () => {
    const plan = planRead(clustered, { columns: ['at', 'v'], filters: [eq('sensor', 's1'), { column: 'site', op: 'in', encoded: ['a', 'b'] }, eq('kind', 'temp')], from: 1000, to: 2000 }, encodeTime);
    expect(plan.cql).toBe('SELECT "at", "v" FROM "k"."t" WHERE "sensor" = ? AND "site" IN ? AND "kind" = ? AND "at" >= ? AND "at" <= ?');
    expect(plan.params).toEqual(['s1', ['a', 'b'], 'temp', new Date(1000), new Date(2000)]);
    expect(plan.allowFiltering).toBe(false);
    expect([...plan.pushed]).toEqual([0, 1, 2]);
    expect(plan.empty).toBe(false);
  });

  it('needs ALLOW FILTERING when a clustering column before the time column is not fixed', () => {
    const plan = planRead(clustered, { columns: ['v'], filters: [eq('sensor', 's1'), eq('site', 'a'), { column: 'kind', op: '>', encoded: 'a' }], from: 1000, to: 2000 }, encodeTime);
    expect(plan.cql).toBe('SELECT "v" FROM "k"."t" WHERE "sensor" = ? AND "site" = ? AND "at" >= ? AND "at" <= ? ALLOW FILTERING');
    expect(plan.allowFiltering).toBe(true);
    expect([...plan.pushed]).toEqual([0, 1]);
  });

  it('scans the table with ALLOW FILTERING when the partition key is not fixed, keeping other filters in the plugin', () => {
    const plan = planRead(clustered, { columns: ['v'], filters: [eq('sensor', 's1'), eq('v', 2)], from: 1000 }, encodeTime);
    expect(plan.cql).toBe('SELECT "v" FROM "k"."t" WHERE "at" >= ? ALLOW FILTERING');
    expect(plan.params).toEqual([new Date(1000)]);
    expect(plan.pushed.size).toBe(0);
  });

  it('scans with ALLOW FILTERING when the time column is a regular column', () => {
    const regular = definition({ partitionKey: ['sensor'], clusteringKey: [] });
    const plan = planRead(regular, { columns: ['at'], filters: [eq('sensor', 's1')], from: 0, to: 5 }, encodeTime);
    expect(plan.cql).toBe('SELECT "at" FROM "k"."t" WHERE "sensor" = ? AND "at" >= ? AND "at" <= ? ALLOW FILTERING');
  });

  it('never fixes the partition key on the time column itself', () => {
    const byTime = definition({ partitionKey: ['at'], clusteringKey: [] });
    const plan = planRead(byTime, { columns: ['v'], filters: [eq('at', new Date(5))], from: 0, to: 10 }, encodeTime);
    expect(plan.cql).toBe('SELECT "v" FROM "k"."t" WHERE "at" >= ? AND "at" <= ? ALLOW FILTERING');
  });

  it('reads without WHERE and without filtering when nothing is fixed and there is no range', () => {
    const plan = planRead(clustered, { columns: ['v'], filters: [eq('v', null)] }, encodeTime);
    expect(plan.cql).toBe('SELECT "v" FROM "k"."t"');
    expect(plan.allowFiltering).toBe(false);
  });

  it('pushes the limit only when every filter is pushed', () => {
    const all = planRead(clustered, { columns: ['v'], filters: [eq('sensor', 's'), eq('site', 'a')], limit: 10 }, encodeTime);
    expect(all.cql).toBe('SELECT "v" FROM "k"."t" WHERE "sensor" = ? AND "site" = ? LIMIT ?');
    expect(all.params).toEqual(['s', 'a', 10]);
    expect(all.limited).toBe(true);
    const some = planRead(clustered, { columns: ['v'], filters: [eq('v', 1)], limit: 10 }, encodeTime);
    expect(some.cql).toBe('SELECT "v" FROM "k"."t"');
    expect(some.limited).toBe(false);
  });

  it('selects the first partition key column when the query needs no column (a row count)', () => {
    expect(planRead(clustered, { columns: [], filters: [] }, encodeTime).cql).toBe('SELECT "sensor" FROM "k"."t"');
  });

  it('marks a plan with an empty IN on the partition key as empty', () => {
    const plan = planRead(clustered, { columns: ['v'], filters: [eq('sensor', 's'), { column: 'site', op: 'in', encoded: [] }] }, encodeTime);
    expect(plan.empty).toBe(true);
  });
});
