// The cassandra sink against the real Cassandra the integration project's globalSetup provides.
// Every run works in its own keyspaces, dropped at the end.
import { jest } from '@jest/globals';
import { isQueryable, makeRecord, prepare, RecordError, runSink, type Queryable, type Sink } from '@sluice/sdk';
import cassandraSink from './index.js';
import { AdminClient, testCluster, uniqueKeyspace } from './cassandra-test-cluster.js';

jest.setTimeout(60_000);

type CassandraSink = Sink & Queryable;

const T0 = Date.UTC(2024, 0, 1);
const minute = 60_000;
const admin = new AdminClient();
const keyspace = admin.track(uniqueKeyspace('sluice_it'));
const open: Sink[] = [];
let tables = 0;
const newTable = () => `t${++tables}`;

/** A table with every kind of column the issue names: list<text>, map<text,int>, set<text>, timestamp, uuid. */
const profileColumns = [
  { name: 'id', type: 'uuid', from: 'login.uuid' },
  { name: 'name', type: 'text' },
  { name: 'age', type: 'int' },
  { name: 'tags', type: 'list<text>' },
  { name: 'scores', type: 'map<text, int>' },
  { name: 'roles', type: 'set<text>' },
  { name: 'seen', type: 'timestamp' },
];

function config(table: string, overrides: Record<string, unknown> = {}) {
  return {
    ...testCluster(),
    keyspace,
    createKeyspace: { strategy: 'SimpleStrategy', replicationFactor: 1 },
    table,
    columns: profileColumns,
    partitionKey: ['id'],
    timeColumn: 'seen',
    consistency: 'one',
    ...overrides,
  };
}

async function start(table: string, overrides: Record<string, unknown> = {}): Promise<CassandraSink> {
  const { config: validated, context } = prepare(cassandraSink, config(table, overrides));
  const sink = cassandraSink.create(validated, context) as CassandraSink;
  await sink.start?.();
  open.push(sink);
  return sink;
}

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const profile = (n: number, extra: Record<string, unknown> = {}) =>
  makeRecord({
    login: { uuid: uuid(n) },
    name: `user${n}`,
    age: 20 + n,
    tags: ['a', `t${n}`],
    scores: { hp: n, attack: 2 * n },
    roles: ['user', 'user', n % 2 ? 'odd' : 'even'],
    seen: new Date(T0 + n * 1000).toISOString(),
    ...extra,
  });

async function rows(sink: CassandraSink, table: string, columns?: string[]) {
  const result = await sink.queryTable({ dataset: table, ...(columns ? { columns } : {}), orderBy: [{ column: 'name', direction: 'asc' }] });
  return result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c.name, row[i]])));
}

beforeAll(async () => {
  await admin.connect();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((sink) => sink.stop?.()));
});

afterAll(async () => {
  await admin.close();
});

describe('cassandra sink (real Cassandra)', () => {
  it('creates the keyspace and the table from config and round-trips every column type', async () => {
    const table = newTable();
    const sink = await start(table);
    expect(isQueryable(sink)).toBe(true);
    const replication = await admin.execute('SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?', [keyspace]);
    expect(Object.fromEntries(replication.first().get('replication'))).toEqual({ class: 'org.apache.cassandra.locator.SimpleStrategy', replication_factor: '1' });
    expect(await admin.columns(keyspace, table)).toEqual({
      id: 'uuid partition_key#0',
      name: 'text',
      age: 'int',
      tags: 'list<text>',
      scores: 'map<text, int>',
      roles: 'set<text>',
      seen: 'timestamp',
    });
    expect(await sink.write([profile(1), profile(2)])).toBeUndefined();
    expect(await rows(sink, table)).toEqual([
      { id: uuid(1), name: 'user1', age: 21, tags: ['a', 't1'], scores: { attack: 2, hp: 1 }, roles: ['odd', 'user'], seen: T0 + 1000 },
      { id: uuid(2), name: 'user2', age: 22, tags: ['a', 't2'], scores: { attack: 4, hp: 2 }, roles: ['even', 'user'], seen: T0 + 2000 },
    ]);
    // The driver's own view of the stored row agrees.
    const raw = await admin.execute(`SELECT id, seen, scores FROM "${keyspace}"."${table}" WHERE id = ?`, [uuid(1)]);
    expect(raw.first().get('id').toString()).toBe(uuid(1));
    expect(raw.first().get('seen')).toEqual(new Date(T0 + 1000));
    expect(raw.first().get('scores')).toEqual(new Map([['attack', 2], ['hp', 1]]));
    // Starting again finds keyspace and table and keeps the rows.
    await sink.stop?.();
    const again = await start(table);
    expect(await rows(again, table)).toHaveLength(2);
  });

  it('upserts: the same key twice keeps one row with the last value, within a batch, across batches and on redelivery', async () => {
    const table = newTable();
    const { acked, failed, sink } = await runSink(
      cassandraSink,
      config(table),
      [
        [profile(1, { name: 'first' }), profile(2), profile(1, { name: 'second', age: 99 })],
        [profile(2, { tags: ['changed'] })],
        [profile(2, { tags: ['changed'] })],
      ],
      { keepOpen: true },
    );
    open.push(sink);
    expect(failed).toEqual([]);
    expect(acked).toHaveLength(5);
    const stored = await rows(sink as CassandraSink, table, ['id', 'name', 'age', 'tags']);
    expect(stored).toEqual([
      { id: uuid(1), name: 'second', age: 99, tags: ['a', 't1'] },
      { id: uuid(2), name: 'user2', age: 22, tags: ['changed'] },
    ]);
  });

  it('deletes the row of a tombstone (null value, key = the primary key), in the order of the batch, inside a partition batch too', async () => {
    const table = newTable();
    const sink = await start(table);
    await sink.write([profile(1), profile(2), profile(3)]);
    const tombstone = (n: number) => makeRecord(null, { key: uuid(n) });
    // 1 deleted; 2 deleted then written anew; 3 written then deleted; a key with no row: nothing.
    expect(await sink.write([tombstone(1), tombstone(2), profile(2, { name: 'again' }), profile(3, { age: 1 }), tombstone(3), tombstone(9)])).toBeUndefined();
    expect((await rows(sink, table, ['name'])).map((r) => r.name)).toEqual(['again']);
    const refused = (await sink.write([makeRecord(null), makeRecord(null, { key: 'not-a-uuid' })])) as unknown as { failed: Array<{ index: number; error: Error }> };
    expect(refused.failed.map((f) => [f.index, f.error.message.replace(/:.*$/s, '')])).toEqual([
      [0, 'a null value (tombstone) deletes the row of its key, but the record has no key'],
      [1, 'a null value (tombstone) deletes the row of its key, but key column "id" (uuid)'],
    ]);
  });

  it('leaves columns of missing values as they are (unset), or deletes them with nullValues: null', async () => {
    const table = newTable();
    const sink = await start(table);
    await sink.write([profile(1)]);
    await sink.write([makeRecord({ login: { uuid: uuid(1) }, age: 50, tags: null })]);
    expect((await rows(sink, table, ['name', 'age', 'tags']))[0]).toEqual({ name: 'user1', age: 50, tags: ['a', 't1'] });
    await sink.stop?.();
    const nulls = await start(table, { nullValues: 'null' });
    await nulls.write([makeRecord({ login: { uuid: uuid(1) }, name: 'user1', age: 51 })]);
    expect((await rows(nulls, table, ['name', 'age', 'tags', 'scores']))[0]).toEqual({ name: 'user1', age: 51, tags: null, scores: null });
  });

  it('fails records whose values do not convert on their own, naming column and value, and stores the rest', async () => {
    const table = newTable();
    const sink = await start(table);
    const result = await sink.write([
      profile(1),
      profile(2, { age: 'twenty' }),
      profile(3, { scores: { hp: 'high' } }),
      profile(4, { login: { uuid: 'not-a-uuid' } }),
      profile(5, { seen: 'yesterday' }),
      profile(6, { login: {} }),
      profile(7),
    ]);
    expect(result?.failed.map((f) => f.index)).toEqual([1, 2, 3, 4, 5]);
    const messages = result!.failed.map((f) => (f.error as Error).message);
    expect(messages).toEqual([
      'column "age" (int, from "age"): cannot convert "twenty" to int (not an integer)',
      'column "scores" (map<text, int>, from "scores"): cannot convert {"hp":"high"} to map<text, int> (value of key "hp": cannot convert "high" to int (not an integer))',
      'column "id" (uuid, from "login.uuid"): cannot convert "not-a-uuid" to uuid (expected a UUID such as "123e4567-e89b-12d3-a456-426614174000")',
      expect.stringMatching(/^column "seen" \(timestamp, from "seen"\): cannot convert "yesterday" to timestamp/),
      'column "id" is part of the primary key and has no value at "login.uuid" (undefined)',
    ]);
    for (const failure of result!.failed) expect((failure.error as RecordError).retryable).toBe(false);
    expect((await rows(sink, table, ['name'])).map((r) => r.name)).toEqual(['user1', 'user7']);
  });

  it('fails the records the server refuses (non-retryably, with its message) and stores the others, also inside a partition batch', async () => {
    const table = newTable();
    const sink = await start(table, {
      columns: [
        { name: 'type', type: 'text' },
        { name: 'pokemon', type: 'text' },
        { name: 'level', type: 'int' },
      ],
      partitionKey: ['type'],
      clusteringKey: [{ column: 'pokemon' }],
      timeColumn: undefined,
    });
    const result = await sink.write([
      makeRecord({ type: 'grass', pokemon: 'bulbasaur', level: 5 }),
      makeRecord({ type: '', pokemon: 'missingno', level: 0 }), // an empty partition key
      makeRecord({ type: 'grass', pokemon: 'x'.repeat(70_000), level: 1 }), // a clustering key over 64 KiB, in grass's batch
      makeRecord({ type: 'grass', pokemon: 'oddish', level: 7 }),
      makeRecord({ type: 'fire', pokemon: 'charmander', level: 5 }),
    ]);
    expect(result?.failed.map((f) => f.index)).toEqual([1, 2]);
    const [empty, long] = result!.failed.map((f) => f.error as RecordError);
    expect(empty.message).toBe(`writing to ${keyspace}.${table} failed [InvalidQuery]: Key may not be empty`);
    expect(long.message).toBe(`writing to ${keyspace}.${table} failed [InvalidQuery]: Key length of 70000 is longer than maximum of 65535`);
    expect(empty.retryable).toBe(false);
    expect(long.retryable).toBe(false);
    const stored = await sink.queryTable({ dataset: table, orderBy: [{ column: 'pokemon', direction: 'asc' }] });
    expect(stored.rows).toEqual([
      ['grass', 'bulbasaur', 5],
      ['fire', 'charmander', 5],
      ['grass', 'oddish', 7],
    ]);
  });

  it('writes many rows of one partition as unlogged batches and many partitions concurrently', async () => {
    const table = newTable();
    const sink = await start(table, {
      columns: [
        { name: 'sensor', type: 'text' },
        { name: 'at', type: 'timestamp' },
        { name: 'value', type: 'double' },
      ],
      partitionKey: ['sensor'],
      clusteringKey: [{ column: 'at', order: 'desc' }],
      timeColumn: 'at',
      partitionBatchRows: 20,
      concurrency: 8,
    });
    const batch = Array.from({ length: 450 }, (_, i) => makeRecord({ sensor: i < 150 ? 'hot' : `s${i % 30}`, at: T0 + i * 1000, value: i / 2 }));
    expect(await sink.write(batch)).toBeUndefined();
    const counts = await sink.queryTable({ dataset: table, columns: ['sensor'], aggregations: [{ fn: 'count', as: 'n' }, { fn: 'sum', column: 'value', as: 'total' }], orderBy: [{ column: 'n', direction: 'desc' }], limit: 2 });
    expect(counts.rows).toEqual([
      ['hot', 150, (149 * 150) / 4],
      [expect.stringMatching(/^s\d+$/), 10, expect.any(Number)],
    ]);
    const all = await sink.queryTable({ dataset: table, aggregations: [{ fn: 'count', as: 'n' }] });
    expect(all.rows).toEqual([[450]]);
  });

  it('refuses to start on an existing table that lacks a declared column or differs, or a missing keyspace', async () => {
    const table = newTable();
    await start(table, { columns: profileColumns.filter((c) => c.name !== 'roles') });
    await expect(start(table)).rejects.toThrow(`cassandra sink: table ${keyspace}.${table} has no column "roles" (it has: age, id, name, scores, seen, tags)`);
    await expect(start(table, { columns: profileColumns.filter((c) => c.name !== 'roles').map((c) => (c.name === 'age' ? { ...c, type: 'bigint' } : c)) })).rejects.toThrow(
      `column "age" of table ${keyspace}.${table} is int, the config declares bigint`,
    );
    await expect(start(newTable(), { createTable: false })).rejects.toThrow(/does not exist \(set createTable: true to create it\)/);
    const error = await start(newTable(), { keyspace: uniqueKeyspace('sluice_absent'), createKeyspace: undefined }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordError);
    expect((error as Error).message).toMatch(/^cassandra sink: keyspace sluice_absent_\w+ does not exist \(create it, or set createKeyspace\)$/);
  });

  it('lets two sinks that start at once both create-or-find the same new table', async () => {
    const table = newTable();
    const [a, b] = await Promise.all([start(table), start(table)]);
    await a.write([profile(1)]);
    await b.write([profile(2)]);
    expect((await rows(a, table, ['name'])).map((r) => r.name)).toEqual(['user1', 'user2']);
  });

  describe('queries', () => {
    let sink: CassandraSink;
    let clustered: CassandraSink;
    let table: string;
    let clusteredTable: string;

    beforeAll(async () => {
      table = newTable();
      clusteredTable = newTable();
      // The time column is a regular column here (reads use ALLOW FILTERING)...
      sink = await start(table, {
        columns: [
          { name: 'id', type: 'int' },
          { name: 'kind', type: 'text' },
          { name: 'value', type: 'int' },
          { name: 'at', type: 'timestamp' },
        ],
        partitionKey: ['id'],
        timeColumn: 'at',
        queryPageSize: 7,
      });
      // ...and the next clustering column there (a partition's slice, no filtering).
      clustered = await start(clusteredTable, {
        columns: [
          { name: 'kind', type: 'text' },
          { name: 'at', type: 'timestamp' },
          { name: 'id', type: 'int' },
          { name: 'value', type: 'int' },
        ],
        partitionKey: ['kind'],
        clusteringKey: [{ column: 'at', order: 'desc' }, { column: 'id' }],
        timeColumn: 'at',
        queryPageSize: 7,
      });
      open.splice(open.indexOf(sink), 1);
      open.splice(open.indexOf(clustered), 1);
      // 40 rows, one every 30 s from T0: kinds alternate a/b, values 0..39.
      const records = Array.from({ length: 40 }, (_, i) => makeRecord({ id: i, kind: i % 2 ? 'b' : 'a', value: i, at: T0 + i * 30_000 }));
      expect(await sink.write(records)).toBeUndefined();
      expect(await clustered.write(records)).toBeUndefined();
    });

    afterAll(async () => {
      await sink.stop?.();
      await clustered.stop?.();
    });

    it('buckets counts in ascending time, each bucket start within the range, through several pages', async () => {
      for (const target of [sink, clustered]) {
        const dataset = target === sink ? table : clusteredTable;
        const series = await target.queryTimeSeries({ dataset, aggregation: 'count', from: T0 + 30_000, to: T0 + 10 * minute, intervalMs: 2 * minute });
        expect(series).toEqual([
          {
            name: 'count',
            points: [
              [4, T0 + 30_000],
              [4, T0 + 150_000],
              [4, T0 + 270_000],
              [4, T0 + 390_000],
              [4, T0 + 510_000],
            ],
          },
        ]);
        for (const [, at] of series[0].points) {
          expect(at).toBeGreaterThanOrEqual(T0 + 30_000);
          expect(at).toBeLessThanOrEqual(T0 + 10 * minute);
        }
      }
    });

    it('groups series by a column, with sum/avg/min/max', async () => {
      const range = { from: T0, to: T0 + 4 * minute - 1, intervalMs: 2 * minute };
      expect(await sink.queryTimeSeries({ dataset: table, aggregation: 'sum', value: 'value', groupBy: 'kind', ...range })).toEqual([
        { name: 'a', points: [[0 + 2, T0], [4 + 6, T0 + 2 * minute]] },
        { name: 'b', points: [[1 + 3, T0], [5 + 7, T0 + 2 * minute]] },
      ]);
      expect(await clustered.queryTimeSeries({ dataset: clusteredTable, aggregation: 'max', value: 'value', ...range, filters: [{ column: 'kind', op: '=', value: 'b' }] })).toEqual([
        { name: 'max(value)', points: [[3, T0], [7, T0 + 2 * minute]] },
      ]);
      expect(await sink.queryTimeSeries({ dataset: table, aggregation: 'avg', value: 'value', ...range, filters: [{ column: 'value', op: '>=', value: 2 }] })).toEqual([
        { name: 'avg(value)', points: [[2.5, T0], [5.5, T0 + 2 * minute]] },
      ]);
      // Weighted by id (= value here): SUM(value·id) / SUM(id) per bucket.
      expect(await sink.queryTimeSeries({ dataset: table, aggregation: 'avg', value: 'value', weight: 'id', ...range })).toEqual([
        { name: 'avg(value)', points: [[(0 + 1 + 4 + 9) / (0 + 1 + 2 + 3), T0], [(16 + 25 + 36 + 49) / (4 + 5 + 6 + 7), T0 + 2 * minute]] },
      ]);
    });

    it('answers table queries with range, filters, sorting and limit', async () => {
      const result = await clustered.queryTable({
        dataset: clusteredTable,
        columns: ['id', 'at'],
        from: T0 + 5 * minute,
        to: T0 + 10 * minute,
        filters: [{ column: 'kind', op: 'in', value: ['a'] }, { column: 'value', op: '!=', value: 12 }],
        orderBy: [{ column: 'id', direction: 'desc' }],
        limit: 3,
      });
      expect(result.columns).toEqual([
        { name: 'id', type: 'number' },
        { name: 'at', type: 'time' },
      ]);
      expect(result.rows).toEqual([
        [20, T0 + 20 * 30_000],
        [18, T0 + 18 * 30_000],
        [16, T0 + 16 * 30_000],
      ]);
      const byKind = await sink.queryTable({ dataset: table, columns: ['kind'], aggregations: [{ fn: 'count', as: 'n' }, { fn: 'max', column: 'at', as: 'last' }], orderBy: [{ column: 'kind', direction: 'asc' }] });
      expect(byKind.rows).toEqual([
        ['a', 20, T0 + 38 * 30_000],
        ['b', 20, T0 + 39 * 30_000],
      ]);
      expect((await sink.queryTable({ dataset: table, columns: ['id'], limit: 5 })).rows).toHaveLength(5);
      expect(await sink.listDatasets()).toEqual([
        {
          name: table,
          columns: [
            { name: 'id', type: 'number' },
            { name: 'kind', type: 'string' },
            { name: 'value', type: 'number' },
            { name: 'at', type: 'time' },
          ],
          timeColumn: 'at',
          keyColumns: ['id'],
        },
      ]);
    });
  });

  describe('health', () => {
    it('is up while started (node answers, keyspace exists) and down once stopped', async () => {
      const sink = await start(newTable(), { username: 'nobody', password: 'hunter2' });
      const up = await sink.health!();
      expect(up.status).toBe('up');
      expect(up.details).toMatchObject({ keyspace, releaseVersion: expect.stringMatching(/^\d+\.\d+/), hostsUp: 1, hosts: 1 });
      expect(JSON.stringify(up)).not.toContain('hunter2');
      await sink.stop?.();
      expect(await sink.health!()).toMatchObject({ status: 'down', details: { reason: 'stopped' } });
      await expect(sink.write([profile(1)])).rejects.toThrow(/is stopped/);
    });

    it('is down, and writes fail retryably as a whole batch, when the cluster cannot be reached', async () => {
      const sink = await start(newTable(), { writeRetries: 1, retryBackoffMs: 10 });
      await sink.write([profile(1)]);
      // Loses the cluster without stopping the shared Cassandra: the sink's driver client is shut
      // down underneath it, so every request fails with NoHostAvailable as in an outage.
      await (sink as unknown as { client: { shutdown(): Promise<void> } }).client.shutdown();
      const health = await sink.health!();
      expect(health.status).toBe('down');
      expect(health.details?.reason).toMatch(/shutdown/i);
      const error = await sink.write([profile(2), profile(3, { age: 'bad' })]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RecordError);
      expect((error as RecordError).retryable).toBe(true);
      expect((error as Error).message).toMatch(
        new RegExp(`^1 of 1 rows could not be written to ${keyspace}\\.t\\d+ \\(after 1 retries\\); writing to ${keyspace}\\.t\\d+ failed \\[NoHostAvailable\\]: .*The batch is retried whole`),
      );
    });

    it('is down when the keyspace disappears', async () => {
      const ownKeyspace = admin.track(uniqueKeyspace('sluice_gone'));
      const sink = await start('gone', { keyspace: ownKeyspace });
      expect((await sink.health!()).status).toBe('up');
      await admin.execute(`DROP KEYSPACE "${ownKeyspace}"`);
      expect(await sink.health!()).toMatchObject({ status: 'down', details: { reason: `keyspace ${ownKeyspace} does not exist` } });
    });

    it('is down, and start fails retryably, with a wrong contact point', async () => {
      const { config: validated, context } = prepare(cassandraSink, config(newTable(), { contactPoints: ['127.0.0.1:1'], connectTimeoutMs: 1000 }));
      const sink = cassandraSink.create(validated, context);
      const error = await sink.start?.().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RecordError);
      expect((error as RecordError).retryable).toBe(true);
      expect((error as Error).message).toMatch(/^cassandra sink: connecting to 127\.0\.0\.1:1 failed \[NoHostAvailable\]: no host could be reached: 127\.0\.0\.1:1 \(connect ECONNREFUSED/);
      const health = await sink.health!();
      expect(health.status).toBe('down');
      expect(health.details?.reason).toBe((error as Error).message);
      await sink.stop?.();
    });
  });
});
