import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRecord, prepare, RecordError, runSink, type Queryable, type Sink } from '@sluice/sdk';
import Database from 'better-sqlite3';
import sql from './index.js';
import { describeSqlSinkBehaviour, orderColumns } from './sql-sink.behaviour.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-sql-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let tables = 0;
describeSqlSinkBehaviour('SQLite (file)', {
  configDir: dir,
  connection: () => ({ driver: 'sqlite', database: 'db/shared.db' }),
  newTable: () => `t${++tables}`,
  qualified: (table) => `"${table}"`,
  timestampSql: 'bigint',
  async exec(statement) {
    const db = new Database(join(dir, 'db/shared.db'));
    try {
      db.exec(statement);
    } finally {
      db.close();
    }
  },
});

type SqlSink = Sink & Queryable;

function create(raw: Record<string, unknown>, configDir = dir): SqlSink {
  const { config, context } = prepare(sql, raw, { context: { configDir } });
  return sql.create(config, context) as SqlSink;
}

const base = { driver: 'sqlite', table: 'orders', columns: orderColumns, key: ['id'], timeColumn: 'at' };
const order = (id: string, qty: number) => makeRecord({ id, qty, price: 1, where: { region: 'eu' }, at: 1_700_000_000_000 + qty });

describe('sql sink on SQLite specifics', () => {
  it('works on :memory:, each sink with its own database', async () => {
    const first = await runSink(sql, { ...base, database: ':memory:' }, [[order('a', 1), order('b', 2)], [order('a', 3)]], { keepOpen: true });
    const second = await runSink(sql, { ...base, database: ':memory:' }, [[order('z', 9)]], { keepOpen: true });
    const a = first.sink as SqlSink;
    const b = second.sink as SqlSink;
    try {
      expect((await a.queryTable({ dataset: 'orders', columns: ['id', 'qty'], orderBy: [{ column: 'id', direction: 'asc' }] })).rows).toEqual([
        ['a', 3],
        ['b', 2],
      ]);
      expect((await b.queryTable({ dataset: 'orders', columns: ['id'] })).rows).toEqual([['z']]);
      const [series] = await a.queryTimeSeries({ dataset: 'orders', aggregation: 'sum', value: 'qty', from: 1_700_000_000_000, to: 1_700_000_000_010, intervalMs: 10 });
      expect(series.points).toEqual([[5, 1_700_000_000_000]]);
    } finally {
      await a.stop?.();
      await b.stop?.();
    }
  });

  it('opens a file relative to the config folder, creating parent folders, in WAL mode', async () => {
    const configDir = mkdtempSync(join(dir, 'cfg-'));
    const sink = create({ ...base, database: 'nested/deeper/data.db' }, configDir);
    await sink.start?.();
    try {
      await sink.write([order('a', 1)]);
      const file = join(configDir, 'nested/deeper/data.db');
      expect(existsSync(file)).toBe(true);
      const db = new Database(file, { readonly: true });
      try {
        expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
        // The time column is indexed, the key is the primary key.
        expect(db.prepare(`SELECT name FROM pragma_index_list('orders') WHERE origin = 'c'`).all()).toEqual([{ name: 'idx_orders_at' }]);
        expect(db.prepare(`SELECT name FROM pragma_table_info('orders') WHERE pk > 0`).all()).toEqual([{ name: 'id' }]);
        expect(db.prepare('SELECT id, qty FROM orders').all()).toEqual([{ id: 'a', qty: 1 }]);
        // Timestamps are stored as integer epoch milliseconds.
        expect(db.prepare('SELECT typeof(at) AS type, at FROM orders').get()).toEqual({ type: 'integer', at: 1_700_000_000_001 });
      } finally {
        db.close();
      }
    } finally {
      await sink.stop?.();
    }
  });

  it('sets the synchronous level it is configured with', async () => {
    for (const [synchronous, level] of [['full', 2], ['normal', 1]] as const) {
      const sink = create({ ...base, database: `sync-${synchronous}.db`, synchronous });
      await sink.start?.();
      try {
        const dataSource = (sink as unknown as { dataSource: { query(sql: string): Promise<Array<{ synchronous: number }>> } }).dataSource;
        expect((await dataSource.query('PRAGMA synchronous'))[0].synchronous).toBe(level);
      } finally {
        await sink.stop?.();
      }
    }
  });

  it('recovers when SQLite rolled the transaction back by itself (RAISE(ROLLBACK) in a trigger)', async () => {
    const sink = create({ ...base, database: 'trigger.db' });
    await sink.start?.();
    try {
      const db = new Database(join(dir, 'trigger.db'));
      db.exec(`CREATE TRIGGER refuse_boom BEFORE INSERT ON orders WHEN NEW.id = 'boom' BEGIN SELECT RAISE(ROLLBACK, 'boom refused'); END`);
      db.exec(`CREATE TRIGGER refuse_abort BEFORE INSERT ON orders WHEN NEW.id = 'abort' BEGIN SELECT RAISE(ABORT, 'abort refused'); END`);
      const error = await sink.write([order('a', 1), order('boom', 2)]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RecordError);
      expect((error as Error).message).toMatch(/boom refused/);
      expect((error as RecordError).retryable).toBe(false);
      await sink.write([order('b', 3)]);
      // A later failure must still roll back a real transaction, and later writes must really commit.
      await expect(sink.write([order('x', 4), order('abort', 5)])).rejects.toThrow(/abort refused/);
      await sink.write([order('c', 6)]);
      // Seen from another connection: committed, nothing left pending in an open transaction.
      expect(db.prepare('SELECT id FROM orders ORDER BY id').all()).toEqual([{ id: 'b' }, { id: 'c' }]);
      db.close();
    } finally {
      await sink.stop?.();
    }
  });

  it('fails to start with a retryable error when the database cannot be opened', async () => {
    // A regular file where a parent folder should be.
    writeFileSync(join(dir, 'not-a-folder'), '');
    const sink = create({ ...base, database: 'not-a-folder/x.db' });
    const error = await sink.start?.().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordError);
    expect((error as Error).message).toMatch(/cannot open SQLite database not-a-folder\/x\.db \[(ENOTDIR|EEXIST)\]/);
    expect((error as RecordError).retryable).toBe(true);
    expect((await sink.health!()).status).toBe('down');
  });
});

describe('sql sink on SQLite: several sinks of one database file', () => {
  it('take turns: concurrent batches of two sinks on one file all commit (no lock wait between their connections)', async () => {
    const raw = (table: string) => ({ ...base, database: 'db/two-sinks.db', table });
    const first = create(raw('first_orders'));
    const second = create(raw('second_orders'));
    await first.start?.();
    await second.start?.();
    try {
      const batches = Array.from({ length: 20 }, (_, b) => Array.from({ length: 50 }, (_, i) => order(`o${b}-${i}`, b * 50 + i)));
      // Interleaved and concurrent, as two routes of one pipeline write.
      await Promise.all(batches.flatMap((batch) => [first.write(batch), second.write(batch)]));
      for (const sink of [first, second]) {
        const [dataset] = await sink.listDatasets();
        const { rows } = await sink.queryTable({ dataset: dataset!.name, aggregations: [{ fn: 'count', as: 'n' }] });
        expect(rows).toEqual([[1000]]);
      }
    } finally {
      await first.stop?.();
      await second.stop?.();
    }
  });
});
