// The sql sink on a SQLite file that another connection (another process, the sqlite3 CLI) holds
// locked: the sink waits asynchronously, so the event loop (health endpoints, other pipelines)
// keeps turning, and the batch is written once the lock is released.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isRetryable, makeRecord, prepare, RecordError } from '@sluice/sdk';
import Database from 'better-sqlite3';
import { QueryFailedError } from 'typeorm';
import sql from './index.js';
import { orderColumns } from './sql-sink.behaviour.js';
import type { SqlSink } from './sql-sink.js';
import { SqliteLockedError } from './sqlite-lock-wait.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-sql-locked-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const open: SqlSink[] = [];
const foreign: Database.Database[] = [];
afterEach(async () => {
  for (const db of foreign.splice(0)) if (db.open) db.close();
  await Promise.all(open.splice(0).map((sink) => sink.stop?.()));
});

let files = 0;
/** A fresh database file (absolute path) and the config of a sink writing table `orders` in it. */
function newDatabase(overrides: Record<string, unknown> = {}) {
  const name = `locked-${++files}.db`;
  const raw = { driver: 'sqlite', database: name, table: 'orders', columns: orderColumns, key: ['id'], timeColumn: 'at', ...overrides };
  return { file: join(dir, name), raw };
}

async function startSink(raw: Record<string, unknown>): Promise<SqlSink> {
  const { config, context } = prepare(sql, raw, { context: { configDir: dir } });
  const sink = sql.create(config, context) as SqlSink;
  open.push(sink);
  await sink.start?.();
  return sink;
}

/** Another connection to the same file holding the write lock (as `BEGIN IMMEDIATE` in the sqlite3 CLI does). */
function holdWriteLock(file: string): Database.Database {
  const db = new Database(file, { timeout: 0 });
  foreign.push(db);
  db.exec('BEGIN IMMEDIATE');
  return db;
}

/** Commits the other connection's transaction after `ms`, releasing its lock. */
function releaseAfter(db: Database.Database, ms: number): void {
  setTimeout(() => db.open && db.inTransaction && db.exec('COMMIT'), ms);
}

/** What a promise settled with: 'done', or the error. */
function settled(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'done',
    (error: unknown) => error,
  );
}

/** Measures the longest time the event loop did not turn (a 10 ms interval stops firing), from now until `stop()`. */
function watchEventLoop() {
  let last = performance.now();
  let maxGap = 0;
  const tick = () => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  };
  const timer = setInterval(tick, 10);
  return {
    /** The longest gap between two ticks, in ms. */
    stop(): number {
      clearInterval(timer);
      tick();
      return Math.round(maxGap);
    },
  };
}

const at = 1_700_000_000_000;
const order = (id: string, qty: number) => makeRecord({ id, qty, price: 1, where: { region: 'eu' }, at: at + qty });
const batchOf = (n: number, prefix = 'o') => Array.from({ length: n }, (_, i) => order(`${prefix}${i}`, i));
const storedIds = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT id FROM orders ORDER BY id').all() as Array<{ id: string }>).map((r) => r.id);
  } finally {
    db.close();
  }
};

describe('sql sink on a SQLite file locked by another connection', () => {
  it('waits for the lock without freezing the event loop, then stores the whole batch', async () => {
    const { file, raw } = newDatabase();
    const sink = await startSink(raw);
    // Large enough to take several INSERT statements: the retried transaction is the whole batch.
    const batch = batchOf(1200);
    // Warm up (statement texts, prepared statements, JIT): the gap measured below is the lock wait's alone.
    await sink.write(batchOf(1200, 'warm-'));
    releaseAfter(holdWriteLock(file), 600);

    const loop = watchEventLoop();
    const started = performance.now();
    const outcome = await settled(sink.write(batch));
    const waited = performance.now() - started;
    const maxGap = loop.stop();

    expect(outcome).toBe('done');
    expect(maxGap).toBeLessThan(200);
    expect(waited).toBeGreaterThanOrEqual(550);
    expect(storedIds(file)).toHaveLength(2400);
  }, 20_000);

  it('gives up after lockWaitMs with a retryable error naming the file; nothing of the batch is stored', async () => {
    const { file, raw } = newDatabase({ lockWaitMs: 300 });
    const sink = await startSink(raw);
    await sink.write([order('before', 1)]);
    const other = holdWriteLock(file);

    const loop = watchEventLoop();
    const started = performance.now();
    const error = await settled(sink.write(batchOf(600)));
    const waited = performance.now() - started;
    const maxGap = loop.stop();

    expect(error).toBeInstanceOf(SqliteLockedError);
    expect(error).not.toBeInstanceOf(RecordError);
    expect(isRetryable(error)).toBe(true);
    expect((error as Error).message).toContain(`writing 600 rows to "orders" failed [SQLITE_BUSY]: SQLite database ${file} is locked by another connection`);
    expect((error as Error).message).toContain('lockWaitMs = 300 ms');
    expect(error).toMatchObject({ database: file, code: 'SQLITE_BUSY' });
    expect((error as SqliteLockedError).cause).toMatchObject({ code: 'SQLITE_BUSY' });
    expect(waited).toBeGreaterThanOrEqual(290);
    expect(waited).toBeLessThan(2000);
    expect(maxGap).toBeLessThan(200);

    other.exec('COMMIT');
    expect(storedIds(file)).toEqual(['before']);
    // The connection is usable again: no transaction was left open.
    await sink.write([order('after', 2)]);
    expect(storedIds(file)).toEqual(['after', 'before']);
  }, 20_000);

  it('with lockWaitMs 0, fails at the first SQLITE_BUSY', async () => {
    const { file, raw } = newDatabase({ lockWaitMs: 0 });
    const sink = await startSink(raw);
    holdWriteLock(file);
    const started = performance.now();
    const error = await settled(sink.write([order('a', 1)]));
    expect(error).toBeInstanceOf(SqliteLockedError);
    expect((error as Error).message).toMatch(/after waiting \d+ ms and 1 attempts/);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('stops waiting when the write\'s signal aborts (write timeout, shutdown), and rolls back', async () => {
    const { file, raw } = newDatabase();
    const sink = await startSink(raw);
    const other = holdWriteLock(file);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('write timed out after 150 ms')), 150);

    const started = performance.now();
    const error = await settled(sink.write(batchOf(10), controller.signal));
    const waited = performance.now() - started;

    expect(error).toBeInstanceOf(SqliteLockedError);
    expect(isRetryable(error)).toBe(true);
    expect((error as Error).message).toMatch(
      new RegExp(`^writing 10 rows to "orders" cancelled after waiting \\d+ ms for SQLite database ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, locked by another connection \\[SQLITE_BUSY\\]: write timed out after 150 ms$`),
    );
    expect(waited).toBeGreaterThanOrEqual(140);
    expect(waited).toBeLessThan(1000);

    other.exec('COMMIT');
    expect(storedIds(file)).toEqual([]);
    // An already aborted signal: one attempt, then the error at once.
    holdWriteLock(file);
    await expect(sink.write([order('x', 1)], AbortSignal.abort(new Error('stopping')))).rejects.toThrow(/cancelled after waiting \d+ ms .*: stopping$/);
  }, 20_000);

  it('keeps this sink\'s writes in order while one waits: a later batch does not overtake it', async () => {
    const { file, raw } = newDatabase();
    const sink = await startSink(raw);
    releaseAfter(holdWriteLock(file), 300);
    // Same key, two batches: the second must win.
    const first = sink.write([order('k', 1)]);
    const second = sink.write([order('k', 2)]);
    await Promise.all([first, second]);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare('SELECT id, qty FROM orders').all()).toEqual([{ id: 'k', qty: 2 }]);
    } finally {
      db.close();
    }
  }, 20_000);

  it('answers queries while a write waits for the lock (WAL readers need no lock)', async () => {
    const { file, raw } = newDatabase();
    const sink = await startSink(raw);
    await sink.write([order('a', 1)]);
    const other = holdWriteLock(file);
    const write = settled(sink.write([order('b', 2)]));
    await new Promise((resolve) => setTimeout(resolve, 50));

    const started = performance.now();
    const { rows } = await sink.queryTable({ dataset: 'orders', columns: ['id'] });
    expect(rows).toEqual([['a']]);
    expect(performance.now() - started).toBeLessThan(500);

    other.exec('COMMIT');
    expect(await write).toBe('done');
    expect(storedIds(file)).toEqual(['a', 'b']);
  }, 20_000);

  it('retries a query that meets SQLITE_BUSY, and gives up after lockWaitMs', async () => {
    const { raw } = newDatabase({ lockWaitMs: 400 });
    const sink = await startSink(raw);
    await sink.write([order('a', 1)]);
    // WAL readers are only locked out briefly (recovery, another connection in exclusive locking
    // mode): the driver's answer is simulated.
    const dataSource = (sink as unknown as { dataSource: { query(sql: string, parameters?: unknown[]): Promise<unknown> } }).dataSource;
    const query = dataSource.query.bind(dataSource);
    let lockedUntil = performance.now() + 150;
    let calls = 0;
    dataSource.query = async (text, parameters) => {
      calls++;
      if (performance.now() < lockedUntil) throw new QueryFailedError(text, parameters, new Database.SqliteError('database is locked', 'SQLITE_BUSY'));
      return query(text, parameters);
    };

    expect((await sink.queryTable({ dataset: 'orders', columns: ['id'] })).rows).toEqual([['a']]);
    expect(calls).toBeGreaterThan(2);

    lockedUntil = Number.POSITIVE_INFINITY;
    const error = await settled(sink.queryTable({ dataset: 'orders', columns: ['id'] }));
    expect(error).toBeInstanceOf(SqliteLockedError);
    expect((error as Error).message).toMatch(/^querying "orders" failed \[SQLITE_BUSY\]: SQLite database .* is locked by another connection/);
  }, 20_000);

  it('stop() ends a wait for the lock at once', async () => {
    const { file, raw } = newDatabase();
    const sink = await startSink(raw);
    holdWriteLock(file);
    const write = settled(sink.write([order('a', 1)]));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await sink.stop();
    expect(performance.now() - started).toBeLessThan(500);
    const error = await write;
    expect(isRetryable(error)).toBe(true);
    expect((error as Error).message).toMatch(/cancelled after waiting .*: the sink is stopping$/);
  }, 20_000);

  it('waits at start for a lock that keeps it from creating the table', async () => {
    const { file, raw } = newDatabase();
    const other = new Database(file);
    foreign.push(other);
    other.pragma('journal_mode = WAL');
    other.exec('BEGIN IMMEDIATE');
    releaseAfter(other, 400);

    const loop = watchEventLoop();
    const started = performance.now();
    const sink = await startSink(raw);
    expect(performance.now() - started).toBeGreaterThanOrEqual(350);
    expect(loop.stop()).toBeLessThan(200);
    await sink.write([order('a', 1)]);
    expect(storedIds(file)).toEqual(['a']);
  }, 20_000);

  it('stop() also ends a start waiting for the lock', async () => {
    const { file, raw } = newDatabase();
    const other = new Database(file);
    foreign.push(other);
    other.pragma('journal_mode = WAL');
    other.exec('BEGIN IMMEDIATE');
    const { config, context } = prepare(sql, raw, { context: { configDir: dir } });
    const sink = sql.create(config, context) as SqlSink;
    const start = settled(sink.start());
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await sink.stop();
    const error = await start;
    expect(performance.now() - started).toBeLessThan(500);
    expect((error as Error).message).toMatch(/^preparing table "orders" cancelled after waiting .*: the sink is stopping$/);
  }, 20_000);

  it('waits at start for a lock that keeps it from switching the file to WAL', async () => {
    const { file, raw } = newDatabase();
    // A file in rollback-journal mode, its write lock held.
    const other = new Database(file);
    foreign.push(other);
    other.exec('CREATE TABLE unrelated (x INTEGER)');
    other.exec('BEGIN IMMEDIATE');
    other.exec('INSERT INTO unrelated VALUES (1)');
    releaseAfter(other, 400);

    const loop = watchEventLoop();
    const started = performance.now();
    const sink = await startSink(raw);
    expect(performance.now() - started).toBeGreaterThanOrEqual(350);
    expect(loop.stop()).toBeLessThan(200);
    other.close();
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
    await sink.write([order('a', 1)]);
    expect(storedIds(file)).toEqual(['a']);
  }, 20_000);
});
