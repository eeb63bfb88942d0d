// Behaviour tests shared by the SQLite and PostgreSQL spec files: the same contract on both drivers.
import { isQueryable, makeRecord, prepare, RecordError, runSink, type Queryable, type Sink } from '@sluice/sdk';
import sql from './index.js';

/** A database the suite runs against. */
export interface SqlTestTarget {
  /** Connection fields of the sink config (driver, database or url, schema...). */
  connection(): Record<string, unknown>;
  /** Folder the sink resolves relative paths against. */
  readonly configDir: string;
  /** A table name no other test (or test run) uses; the target drops it afterwards. */
  newTable(): string;
  /** Runs SQL on the same database outside Sluice (DDL the sink does not know about). */
  exec(sql: string): Promise<void>;
  /** The table name as SQL (schema-qualified when the target uses a schema). */
  qualified(table: string): string;
  /** The SQL type the sink stores timestamps as (for tables created outside Sluice). */
  readonly timestampSql: string;
}

const T0 = Date.UTC(2024, 0, 1);

export const orderColumns = [
  { name: 'id', type: 'string', length: 20 },
  { name: 'qty', type: 'integer' },
  { name: 'price', type: 'float', nullable: true },
  { name: 'region', type: 'string', nullable: true, from: 'where.region' },
  { name: 'at', type: 'timestamp' },
];

type SqlSink = Sink & Queryable;

/** Whether the sink found an index led by its time column (what makes it read time series bucket by bucket). */
function timeIndexed(sink: SqlSink): boolean {
  return (sink as unknown as { queries: { timeIndexed: boolean } }).queries.timeIndexed;
}

export function describeSqlSinkBehaviour(label: string, target: SqlTestTarget): void {
  const open: SqlSink[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((sink) => sink.stop?.()));
  });

  function config(table: string, overrides: Record<string, unknown> = {}) {
    return { ...target.connection(), table, columns: orderColumns, key: ['id'], timeColumn: 'at', ...overrides };
  }

  async function start(table: string, overrides: Record<string, unknown> = {}): Promise<SqlSink> {
    const { config: validated, context } = prepare(sql, config(table, overrides), { context: { configDir: target.configDir } });
    const sink = sql.create(validated, context) as SqlSink;
    await sink.start?.();
    open.push(sink);
    return sink;
  }

  async function allRows(sink: SqlSink, table: string) {
    const result = await sink.queryTable({ dataset: table, orderBy: [{ column: 'id', direction: 'asc' }] });
    return result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c.name, row[i]])));
  }

  const order = (id: string, qty: number, extra: Record<string, unknown> = {}) => makeRecord({ id, qty, price: qty * 1.5, where: { region: 'eu' }, at: T0 + qty * 1000, ...extra });

  describe(`sql sink on ${label}`, () => {
    it('creates the table from the declared columns and describes it as a dataset', async () => {
      const table = target.newTable();
      const sink = await start(table);
      expect(isQueryable(sink)).toBe(true);
      expect(await sink.listDatasets()).toEqual([
        {
          name: table,
          columns: [
            { name: 'id', type: 'string' },
            { name: 'qty', type: 'number' },
            { name: 'price', type: 'number' },
            { name: 'region', type: 'string' },
            { name: 'at', type: 'time' },
          ],
          timeColumn: 'at',
          keyColumns: ['id'],
        },
      ]);
      await sink.write([order('a', 1)]);
      expect(await allRows(sink, table)).toEqual([{ id: 'a', qty: 1, price: 1.5, region: 'eu', at: T0 + 1000 }]);
      // Starting again finds the table and keeps its rows.
      await sink.stop?.();
      const again = await start(table);
      expect(await allRows(again, table)).toHaveLength(1);
    });

    it('lets two sinks that start at once both create-or-find the same new table', async () => {
      const table = target.newTable();
      const [a, b] = await Promise.all([start(table), start(table)]);
      await a.write([order('from-a', 1)]);
      await b.write([order('from-b', 2)]);
      expect((await allRows(a, table)).map((r) => r.id)).toEqual(['from-a', 'from-b']);
    });

    it('deletes the row of a tombstone (null value) in the order of the batch, across batches, copyThreshold or not', async () => {
      const table = target.newTable();
      const sink = await start(table, { copyThreshold: 2 });
      const tombstone = (id: string) => makeRecord(null, { key: id });
      await sink.write([order('a', 1), order('b', 2), order('c', 3)]);
      // b deleted; c deleted then written again (the last record of a key wins); a written then deleted.
      expect(await sink.write([tombstone('b'), tombstone('c'), order('c', 30), order('a', 10), tombstone('a'), tombstone('nobody')])).toBeUndefined();
      expect((await allRows(sink, table)).map((row) => [row.id, row.qty])).toEqual([['c', 30]]);
      // Only tombstones, and again (idempotent).
      await sink.write([tombstone('c')]);
      await sink.write([tombstone('c')]);
      expect(await allRows(sink, table)).toEqual([]);
    });

    it('reads a tombstone’s key from the record key: numbers from text, several columns from a JSON object; refuses what names no key', async () => {
      const table = target.newTable();
      const columns = [
        { name: 'tenant', type: 'string', length: 10 },
        { name: 'n', type: 'integer' },
        { name: 'label', type: 'string', length: 20, nullable: true },
      ];
      const sink = await start(table, { columns, key: ['tenant', 'n'], timeColumn: undefined });
      const row = (tenant: string, n: number) => makeRecord({ tenant, n, label: `${tenant}-${n}` });
      await sink.write([row('t1', 1), row('t1', 2), row('t2', 1)]);
      const result = await sink.write([
        makeRecord(null, { key: JSON.stringify({ tenant: 't1', n: 2 }) }),
        makeRecord(null, { key: 't1' }),
        makeRecord(null, { key: JSON.stringify({ tenant: 't2' }) }),
        makeRecord(null),
      ]);
      expect((result as { failed: Array<{ index: number; error: RecordError }> }).failed.map((f) => [f.index, f.error.message])).toEqual([
        [1, 'a null value (tombstone) deletes the row of its key, but with several key columns the record key must be a JSON object with "tenant", "n"'],
        [2, 'a null value (tombstone) deletes the row of its key, but the record key has no value for key column "n"'],
        [3, 'a null value (tombstone) deletes the row of its key, but the record has no key'],
      ]);
      const left = await sink.queryTable({ dataset: table, columns: ['tenant', 'n'], orderBy: [{ column: 'tenant', direction: 'asc' }, { column: 'n', direction: 'asc' }] });
      expect(left.rows).toEqual([
        ['t1', 1],
        ['t2', 1],
      ]);
      const numeric = await start(target.newTable(), { columns: [{ name: 'n', type: 'integer' }], key: ['n'], timeColumn: undefined });
      await numeric.write([makeRecord({ n: 7 }), makeRecord({ n: 8 })]);
      await numeric.write([makeRecord(null, { key: '7' })]);
      expect((await numeric.queryTable({ dataset: (await numeric.listDatasets())[0]!.name, columns: ['n'] })).rows).toEqual([[8]]);
    });

    it('dead-letters a null value when deleteOnNull is false', async () => {
      const sink = await start(target.newTable(), { deleteOnNull: false });
      const result = (await sink.write([makeRecord(null, { key: 'a' })])) as unknown as { failed: Array<{ error: RecordError }> };
      expect(result.failed[0]!.error.message).toMatch(/^column "id": missing value/);
    });

    it('upserts by key: redelivery keeps one row with the last value, within and across batches', async () => {
      const table = target.newTable();
      const { acked, failed, sink } = await runSink(
        sql,
        config(table),
        [
          [order('a', 1), order('b', 2), order('a', 3)],
          [order('b', 20), order('c', 4)],
          [order('b', 20), order('c', 4)], // the same batch delivered again
        ],
        { keepOpen: true, context: { configDir: target.configDir } },
      );
      open.push(sink as SqlSink);
      expect(failed).toEqual([]);
      expect(acked).toHaveLength(7);
      expect((await allRows(sink as SqlSink, table)).map((r) => [r.id, r.qty])).toEqual([
        ['a', 3],
        ['b', 20],
        ['c', 4],
      ]);
    });

    it('writes a batch larger than one statement in one go', async () => {
      const table = target.newTable();
      const sink = await start(table);
      const batch = Array.from({ length: 2600 }, (_, i) => order(`k${i}`, i));
      expect(await sink.write(batch)).toBeUndefined();
      const result = await sink.queryTable({ dataset: table, aggregations: [{ fn: 'count', as: 'n' }, { fn: 'sum', column: 'qty', as: 'total' }] });
      expect(result.rows).toEqual([[2600, (2599 * 2600) / 2]]);
    });

    it('is atomic: a batch failing on a constraint the sink does not know about leaves nothing, and is not retryable', async () => {
      const table = target.newTable();
      await target.exec(
        `CREATE TABLE ${target.qualified(table)} (id varchar(20) PRIMARY KEY, qty integer NOT NULL CHECK (qty >= 0), price double precision, region varchar(50), at ${target.timestampSql})`,
      );
      const sink = await start(table, { createTable: false });
      await sink.write([order('before', 1)]);
      // 2600 rows span several statements; the bad one sits in the last statement.
      const batch = Array.from({ length: 2600 }, (_, i) => order(`k${i}`, i === 2500 ? -1 : i));
      batch.push(order('before', 99)); // would update the earlier row
      const error = await sink.write(batch).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RecordError);
      expect((error as RecordError).retryable).toBe(false);
      expect((error as Error).message).toMatch(/check/i);
      expect(await allRows(sink, table)).toEqual([{ id: 'before', qty: 1, price: 1.5, region: 'eu', at: T0 + 1000 }]);
      // The sink is still usable after the rollback.
      await sink.write([order('after', 2)]);
      expect((await allRows(sink, table)).map((r) => r.id)).toEqual(['after', 'before']);
    });

    it('fails records whose values do not convert on their own and stores the rest', async () => {
      const table = target.newTable();
      const sink = await start(table);
      const result = await sink.write([
        order('ok1', 1),
        order('bad-qty', 0, { qty: 'abc' }),
        order('missing', 0, { qty: undefined }),
        order('ok2', 2, { price: null, where: {} }),
        order('bad-at', 3, { at: 'not a date' }),
        order('way-too-long-identifier-here', 4),
      ]);
      expect(result?.failed.map((f) => f.index)).toEqual([1, 2, 4, 5]);
      const messages = result!.failed.map((f) => (f.error as Error).message);
      expect(messages[0]).toBe('column "qty" (integer, from "qty"): cannot convert "abc" to integer (not an integer)');
      expect(messages[1]).toBe('column "qty": missing value at "qty" (undefined), and the column is not nullable');
      expect(messages[2]).toMatch(/^column "at" \(timestamp, from "at"\): cannot convert "not a date" to timestamp/);
      expect(messages[3]).toMatch(/^column "id" \(string, from "id"\): cannot convert "way-too-long-identifier-here" to string \(longer than 20 characters\)/);
      for (const failure of result!.failed) expect((failure.error as RecordError).retryable).toBe(false);
      expect(await allRows(sink, table)).toEqual([
        { id: 'ok1', qty: 1, price: 1.5, region: 'eu', at: T0 + 1000 },
        { id: 'ok2', qty: 2, price: null, region: null, at: T0 + 2000 },
      ]);
    });

    it('round-trips every column type, nulls included', async () => {
      const table = target.newTable();
      const columns = [
        { name: 'k', type: 'integer' },
        { name: 's', type: 'string', nullable: true },
        { name: 'tx', type: 'text', nullable: true },
        { name: 'i', type: 'integer', nullable: true },
        { name: 'big', type: 'bigint', nullable: true },
        { name: 'f', type: 'float', nullable: true },
        { name: 'b', type: 'boolean', nullable: true },
        { name: 't', type: 'timestamp', nullable: true },
        { name: 'j', type: 'json', nullable: true, from: 'nested.doc' },
      ];
      const sink = await start(table, { columns, key: ['k'], timeColumn: 't' });
      const doc = { list: [1, 'two', { three: 3 }], flag: false, none: null, text: 'é "quoted" 😀' };
      expect(
        await sink.write([
          makeRecord({ k: 1, s: 'héllo', tx: 'x'.repeat(5000), i: -2147483648, big: 9007199254740991, f: 3.25, b: true, t: '2024-02-29T23:59:59.999+01:00', nested: { doc } }),
          makeRecord({ k: '2', s: 42, tx: '', i: '17', big: '-5', f: '1e-3', b: 'false', t: T0, nested: { doc: 'just a string' } }),
          makeRecord({ k: 3 }),
        ]),
      ).toBeUndefined();
      const result = await sink.queryTable({ dataset: table, orderBy: [{ column: 'k', direction: 'asc' }] });
      expect(result.columns.map((c) => c.type)).toEqual(['number', 'string', 'string', 'number', 'number', 'number', 'boolean', 'time', 'json']);
      expect(result.rows).toEqual([
        [1, 'héllo', 'x'.repeat(5000), -2147483648, 9007199254740991, 3.25, true, Date.UTC(2024, 1, 29, 22, 59, 59, 999), doc],
        [2, '42', '', 17, -5, 0.001, false, T0, 'just a string'],
        [3, null, null, null, null, null, null, null, null],
      ]);
    });

    it('refuses a duplicate key in insert mode as a non-retryable batch error', async () => {
      const table = target.newTable();
      const sink = await start(table, { mode: 'insert' });
      await sink.write([order('a', 1)]);
      const error = await sink.write([order('b', 2), order('a', 3)]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RecordError);
      expect((error as RecordError).retryable).toBe(false);
      expect((await allRows(sink, table)).map((r) => r.id)).toEqual(['a']);
    });

    it('serialises concurrent writes', async () => {
      const table = target.newTable();
      const sink = await start(table);
      await Promise.all(Array.from({ length: 6 }, (_, b) => sink.write(Array.from({ length: 300 }, (_, i) => order(`b${b}-${i}`, i)))));
      const result = await sink.queryTable({ dataset: table, aggregations: [{ fn: 'count', as: 'n' }] });
      expect(result.rows).toEqual([[1800]]);
    });

    it('refuses to start on an existing table without a unique key, or without a declared column', async () => {
      const noKey = target.newTable();
      await target.exec(`CREATE TABLE ${target.qualified(noKey)} (id varchar(20), qty integer, price double precision, region text, at ${target.timestampSql})`);
      await expect(start(noKey)).rejects.toThrow(/has no primary key or unique constraint on exactly \(id\), which upserts need/);
      await expect(start(noKey, { mode: 'insert' })).resolves.toBeDefined();

      const missingColumn = target.newTable();
      await target.exec(`CREATE TABLE ${target.qualified(missingColumn)} (id varchar(20) PRIMARY KEY, qty integer)`);
      await expect(start(missingColumn)).rejects.toThrow(/has no column "price"/);

      await expect(start(target.newTable(), { createTable: false })).rejects.toThrow(/does not exist \(set createTable: true to create it\)/);
    });

    it('reports health up while started and down once stopped', async () => {
      const sink = await start(target.newTable());
      const up = await sink.health!();
      expect(up.status).toBe('up');
      expect(up.details).toMatchObject({ driver: target.connection().driver });
      expect(JSON.stringify(up)).not.toMatch(/postgres:\/\//);
      await sink.stop?.();
      expect((await sink.health!()).status).toBe('down');
      await expect(sink.write([order('x', 1)])).rejects.toThrow(/is stopped/);
    });

    describe('queries', () => {
      let sink: SqlSink;
      let table: string;
      const minute = 60_000;
      beforeEach(async () => {
        table = target.newTable();
        sink = await start(table);
        // 8 orders over 4 minutes in two regions; one without price.
        const rows = [
          ['o1', 1, 10, 'eu', 0],
          ['o2', 2, 20, 'us', 10_000],
          ['o3', 3, 30, 'eu', minute + 5_000],
          ['o4', 4, null, 'eu', minute + 50_000],
          ['o5', 5, 50, 'us', 2 * minute],
          ['o6', 6, 60, 'us', 3 * minute + 1],
          ['o7', 7, 70, 'eu', 3 * minute + 59_999],
          ['o8', 8, 80, 'apac', 10 * minute],
        ] as const;
        await sink.write(rows.map(([id, qty, price, region, offset]) => makeRecord({ id, qty, price, where: { region }, at: T0 + offset })));
      });

      it('buckets a time series in the database, ascending and within range', async () => {
        const [count] = await sink.queryTimeSeries({ dataset: table, aggregation: 'count', from: T0, to: T0 + 4 * minute - 1, intervalMs: minute });
        expect(count).toEqual({ name: 'count', points: [[2, T0], [2, T0 + minute], [1, T0 + 2 * minute], [2, T0 + 3 * minute]] });
        const [sum] = await sink.queryTimeSeries({ dataset: table, aggregation: 'sum', value: 'price', from: T0 + minute, to: T0 + 3 * minute, intervalMs: minute });
        // The range is inclusive: o6 at 3 min + 1 ms is after `to`.
        expect(sum).toEqual({ name: 'sum(price)', points: [[30, T0 + minute], [50, T0 + 2 * minute]] });
        const [avg] = await sink.queryTimeSeries({ dataset: table, aggregation: 'avg', value: 'qty', from: T0, to: T0 + 10 * minute, intervalMs: 5 * minute });
        expect(avg.points).toEqual([[4, T0], [8, T0 + 10 * minute]]);
        const [max] = await sink.queryTimeSeries({ dataset: table, aggregation: 'max', value: 'price', from: T0, to: T0 + 2 * minute, intervalMs: 2 * minute });
        expect(max.points).toEqual([[30, T0], [50, T0 + 2 * minute]]);
        const [min] = await sink.queryTimeSeries({ dataset: table, aggregation: 'min', value: 'qty', from: T0, to: T0 + 10 * minute, intervalMs: 60 * minute });
        expect(min.points).toEqual([[1, T0]]);
      });

      it('averages a value weighted by another column, leaving out rows where either is null', async () => {
        const query = { dataset: table, aggregation: 'avg' as const, value: 'price', weight: 'qty', from: T0, to: T0 + 4 * minute - 1, intervalMs: minute };
        const [weighted] = await sink.queryTimeSeries(query);
        // o4 has no price: its bucket averages o3 alone.
        expect(weighted).toEqual({ name: 'avg(price)', points: [[(10 * 1 + 20 * 2) / 3, T0], [30, T0 + minute], [50, T0 + 2 * minute], [(60 * 6 + 70 * 7) / 13, T0 + 3 * minute]] });
        // Weighted by a nullable column; only null weights in a bucket holding rows: a null point.
        const [byPrice] = await sink.queryTimeSeries({ ...query, value: 'qty', weight: 'price', to: T0 + 2 * minute - 1 });
        expect(byPrice.points).toEqual([[(1 * 10 + 2 * 20) / 30, T0], [3, T0 + minute]]);
        const [onlyNull] = await sink.queryTimeSeries({ ...query, filters: [{ column: 'id', op: '=', value: 'o4' }] });
        expect(onlyNull.points).toEqual([[null, T0 + minute]]);
        await expect(sink.queryTimeSeries({ ...query, aggregation: 'sum' })).rejects.toThrow(/weight only applies to aggregation "avg"/);
        await expect(sink.queryTimeSeries({ ...query, weight: 'region' })).rejects.toThrow(/weight column "region" is string/);
        await expect(sink.queryTimeSeries({ ...query, weight: 'qtty' })).rejects.toThrow(/weight: unknown column "qtty".*did you mean "qty"/);
      });

      it('anchors buckets at `from`', async () => {
        const [count] = await sink.queryTimeSeries({ dataset: table, aggregation: 'count', from: T0 + 30_000, to: T0 + 150_000, intervalMs: minute });
        // o3 (65 s) → [30 s, 90 s); o4 (110 s), o5 (120 s) → [90 s, 150 s)
        expect(count.points).toEqual([[1, T0 + 30_000], [2, T0 + 90_000]]);
        for (const [, start] of count.points) expect(start).toBeGreaterThanOrEqual(T0 + 30_000);
      });

      it('returns one series per group, with filters', async () => {
        const series = await sink.queryTimeSeries({
          dataset: table,
          aggregation: 'count',
          from: T0,
          to: T0 + 10 * minute,
          intervalMs: 2 * minute,
          groupBy: 'region',
          filters: [{ column: 'qty', op: '>', value: 1 }],
        });
        expect(series).toEqual([
          { name: 'apac', points: [[1, T0 + 10 * minute]] },
          { name: 'eu', points: [[2, T0], [1, T0 + 2 * minute]] },
          { name: 'us', points: [[1, T0], [2, T0 + 2 * minute]] },
        ]);
        const none = await sink.queryTimeSeries({ dataset: table, aggregation: 'count', from: T0 + 20 * minute, to: T0 + 30 * minute, intervalMs: minute });
        expect(none).toEqual([{ name: 'count', points: [] }]);
      });

      it('selects rows with filters, order and limit', async () => {
        const result = await sink.queryTable({
          dataset: table,
          columns: ['id', 'price', 'at'],
          filters: [
            { column: 'region', op: 'in', value: ['eu', 'us'] },
            { column: 'price', op: '!=', value: null },
            { column: 'at', op: '>=', value: new Date(T0 + minute).toISOString() },
          ],
          orderBy: [{ column: 'qty', direction: 'desc' }],
          limit: 3,
        });
        expect(result.columns).toEqual([
          { name: 'id', type: 'string' },
          { name: 'price', type: 'number' },
          { name: 'at', type: 'time' },
        ]);
        expect(result.rows).toEqual([
          ['o7', 70, T0 + 3 * minute + 59_999],
          ['o6', 60, T0 + 3 * minute + 1],
          ['o5', 50, T0 + 2 * minute],
        ]);
        const nulls = await sink.queryTable({ dataset: table, columns: ['id'], filters: [{ column: 'price', op: '=', value: null }] });
        expect(nulls.rows).toEqual([['o4']]);
        const ranged = await sink.queryTable({ dataset: table, columns: ['id'], from: T0 + 3 * minute, to: T0 + 4 * minute, orderBy: [{ column: 'id', direction: 'asc' }] });
        expect(ranged.rows).toEqual([['o6'], ['o7']]);
        const empty = await sink.queryTable({ dataset: table, columns: ['id'], filters: [{ column: 'id', op: 'in', value: [] }] });
        expect(empty.rows).toEqual([]);
      });

      it('aggregates a weighted average per group in the database', async () => {
        const weighted = { fn: 'avg' as const, column: 'price', weight: 'qty', as: 'w' };
        const result = await sink.queryTable({ dataset: table, columns: ['region'], aggregations: [weighted], orderBy: [{ column: 'region', direction: 'asc' }] });
        // o4 (eu) has no price: it is left out, weight included.
        expect(result.rows).toEqual([['apac', 80], ['eu', (10 * 1 + 30 * 3 + 70 * 7) / 11], ['us', (20 * 2 + 50 * 5 + 60 * 6) / 13]]);
        const onlyNull = await sink.queryTable({ dataset: table, aggregations: [weighted], filters: [{ column: 'id', op: '=', value: 'o4' }] });
        expect(onlyNull.rows).toEqual([[null]]);
        await expect(sink.queryTable({ dataset: table, aggregations: [{ ...weighted, fn: 'max' }] })).rejects.toThrow(/aggregations\[0\]: weight only applies to fn "avg"/);
        await expect(sink.queryTable({ dataset: table, aggregations: [{ ...weighted, weight: 'id' }] })).rejects.toThrow(/aggregations\[0\]: a weighted average needs a number weight column, "id" is string/);
      });

      it('aggregates per group in the database, ordered by an aggregate', async () => {
        const result = await sink.queryTable({
          dataset: table,
          columns: ['region'],
          aggregations: [
            { fn: 'count', as: 'orders' },
            { fn: 'count', column: 'price', as: 'priced' },
            { fn: 'sum', column: 'qty', as: 'qty' },
            { fn: 'avg', column: 'price', as: 'avg price' },
            { fn: 'min', column: 'at', as: 'first' },
            { fn: 'max', column: 'id', as: 'last id' },
          ],
          orderBy: [{ column: 'qty', direction: 'desc' }],
          limit: 2,
        });
        expect(result.columns).toEqual([
          { name: 'region', type: 'string' },
          { name: 'orders', type: 'number' },
          { name: 'priced', type: 'number' },
          { name: 'qty', type: 'number' },
          { name: 'avg price', type: 'number' },
          { name: 'first', type: 'time' },
          { name: 'last id', type: 'string' },
        ]);
        expect(result.rows).toEqual([
          ['eu', 4, 3, 15, 110 / 3, T0, 'o7'],
          ['us', 3, 3, 13, 130 / 3, T0 + 10_000, 'o6'],
        ]);
      });

      it('refuses unknown columns and anything that is not a declared identifier', async () => {
        await expect(sink.queryTable({ dataset: table, columns: ['id; DROP TABLE x'] })).rejects.toThrow(/unknown column "id; DROP TABLE x"/);
        await expect(sink.queryTable({ dataset: table, columns: ['prise'] })).rejects.toThrow(/did you mean "price"\?/);
        await expect(sink.queryTable({ dataset: table, orderBy: [{ column: 'id', direction: 'up' as never }] })).rejects.toThrow(/direction must be "asc" or "desc"/);
        await expect(
          sink.queryTimeSeries({ dataset: table, aggregation: 'sum', value: 'region', from: T0, to: T0 + 1, intervalMs: 1 }),
        ).rejects.toThrow(/"sum" needs a number column/);
        await expect(sink.queryTimeSeries({ dataset: table, aggregation: 'count', from: T0, to: T0 + 1, intervalMs: 0 })).rejects.toThrow(/intervalMs must be a positive/);
        await expect(sink.queryTable({ dataset: 'other', columns: ['id'] })).rejects.toThrow(/unknown dataset "other"/);
        await expect(sink.queryTable({ dataset: table, filters: [{ column: 'qty', op: '=', value: "1 OR 1=1" }] })).rejects.toThrow(
          /filters\[0\]\.value for column "qty": cannot convert "1 OR 1=1" to integer/,
        );
        // The table is intact.
        expect((await sink.queryTable({ dataset: table, aggregations: [{ fn: 'count', as: 'n' }] })).rows).toEqual([[8]]);
      });

      it('answers time series through the time index (bucket by bucket) exactly as with a scan of the range', async () => {
        // The same rows in a table the sink created (the time column is indexed) and in one created
        // outside with no index on it (so every time series scans the range and groups it).
        const indexedTable = target.newTable();
        const indexed = await start(indexedTable);
        const plainTable = target.newTable();
        await target.exec(
          `CREATE TABLE ${target.qualified(plainTable)} (id varchar(20) PRIMARY KEY, qty integer NOT NULL, price double precision, region varchar(20), at ${target.timestampSql} NOT NULL)`,
        );
        // An index that holds the time column, but not first, cannot read a range of it.
        await target.exec(`CREATE INDEX ${plainTable}_qty_at ON ${target.qualified(plainTable)} (qty, at)`);
        const plain = await start(plainTable, { createTable: false });
        expect(timeIndexed(indexed)).toBe(true);
        expect(timeIndexed(plain)).toBe(false);

        // 90 rows 97 s apart over ~2.4 h; prices are halves (exact in binary, so sums do not depend on
        // the order rows are added in); no price at all in [100 min, 112 min), and on every 7th row.
        const records = Array.from({ length: 90 }, (_, i) => {
          const at = T0 + i * 97_000;
          const priceless = i % 7 === 0 || (at >= T0 + 100 * minute && at < T0 + 112 * minute);
          return makeRecord({ id: `r${i}`, qty: (i * 5) % 11, price: priceless ? null : ((i * 3) % 13) / 2, where: { region: ['eu', 'us', 'apac'][i % 3] }, at });
        });
        await indexed.write(records);
        await plain.write(records);

        const ranges = [
          { from: T0, to: T0 + 150 * minute, intervalMs: 12 * minute },
          { from: T0 + 31_000, to: T0 + 140 * minute - 1, intervalMs: 7 * minute },
          { from: T0 - 60 * minute, to: T0 + 30 * minute, intervalMs: 5 * minute },
          { from: T0 + 20 * minute, to: T0 + 25 * minute, intervalMs: 1 }, // more buckets than the seek plan takes
          { from: T0 + 30 * minute, to: T0 + 40 * minute, intervalMs: 1000 }, // one row per bucket; r22 weighs 0
        ];
        const shapes = [
          { aggregation: 'count' as const },
          { aggregation: 'sum' as const, value: 'qty' },
          { aggregation: 'avg' as const, value: 'qty' },
          { aggregation: 'avg' as const, value: 'price' },
          { aggregation: 'min' as const, value: 'price' },
          { aggregation: 'max' as const, value: 'qty', groupBy: 'region' },
          { aggregation: 'count' as const, groupBy: 'region', filters: [{ column: 'qty', op: '>' as const, value: 3 }] },
          { aggregation: 'avg' as const, value: 'price', groupBy: 'region' },
          // Weighted averages: null values (price), zero weights (qty of every 11th row), null weights (price).
          { aggregation: 'avg' as const, value: 'price', weight: 'qty' },
          { aggregation: 'avg' as const, value: 'qty', weight: 'price' },
          { aggregation: 'avg' as const, value: 'price', weight: 'qty', groupBy: 'region' },
        ];
        let nullPoints = 0;
        for (const range of ranges) {
          for (const shape of shapes) {
            const viaIndex = await indexed.queryTimeSeries({ dataset: indexedTable, ...range, ...shape });
            const viaScan = await plain.queryTimeSeries({ dataset: plainTable, ...range, ...shape });
            expect({ range, shape, series: viaIndex }).toEqual({ range, shape, series: viaScan });
            nullPoints += viaIndex.flatMap((s) => s.points).filter(([v]) => v === null).length;
          }
        }
        // The priceless stretch holds rows, so its bucket answers a null average rather than no point.
        expect(nullPoints).toBeGreaterThan(0);
        const [avg] = await indexed.queryTimeSeries({ dataset: indexedTable, aggregation: 'avg', value: 'price', from: T0 + 100 * minute, to: T0 + 112 * minute - 1, intervalMs: 12 * minute });
        expect(avg.points).toEqual([[null, T0 + 100 * minute]]);
        // r22 (at 2134 s) has a price but weighs 0: its bucket holds a row, so it is a null point.
        const [weighted] = await indexed.queryTimeSeries({ dataset: indexedTable, aggregation: 'avg', value: 'price', weight: 'qty', from: T0 + 2134_000, to: T0 + 2134_000, intervalMs: 1000 });
        expect(weighted.points).toEqual([[null, T0 + 2134_000]]);
      });
    });
  });
}
