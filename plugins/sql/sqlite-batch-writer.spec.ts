import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { RecordError } from '@sluice/sdk';
import Database from 'better-sqlite3';
import { dialectFor } from './sql-dialect.js';
import { SqliteBatchWriter, type SqliteConnection } from './sqlite-batch-writer.js';
import { UpsertStatement } from './upsert-statement.js';

function table(): Database.Database {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (id integer PRIMARY KEY, v text NOT NULL)');
  return db;
}

const rows = (from: number, count: number, v = 'x') => Array.from({ length: count }, (_, i) => [from + i, v]);

describe('SqliteBatchWriter', () => {
  const statement = new UpsertStatement(dialectFor('sqlite'), '"t"', ['id', 'v'], ['id'], 2);

  it('prepares each statement text once per connection, and again on a new connection', () => {
    const writer = new SqliteBatchWriter(statement);
    const first = table();
    const prepare = jest.spyOn(first, 'prepare');
    writer.write(first as unknown as SqliteConnection, rows(1, 5), 'writing');
    writer.write(first as unknown as SqliteConnection, rows(1, 5, 'y'), 'writing');
    // Chunks of 2 rows: the 2-row text and the 1-row tail, each prepared once.
    expect(prepare.mock.calls.map(([text]) => (String(text).match(/\(\?, \?\)/g) ?? []).length)).toEqual([2, 1]);
    expect(first.prepare('SELECT count(*) AS n, min(v) AS v FROM t').get()).toEqual({ n: 5, v: 'y' });

    const second = table();
    const prepareAgain = jest.spyOn(second, 'prepare');
    writer.write(second as unknown as SqliteConnection, rows(1, 2), 'writing');
    expect(prepareAgain).toHaveBeenCalledTimes(1);
    expect(second.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2 });
  });

  it('rolls the whole batch back when a statement fails, and reports a non-retryable batch error', () => {
    const writer = new SqliteBatchWriter(statement);
    const db = table();
    writer.write(db as unknown as SqliteConnection, rows(1, 1), 'writing');
    let error: unknown;
    try {
      writer.write(db as unknown as SqliteConnection, [...rows(10, 3), [99, null]], 'writing 4 rows to "t"');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RecordError);
    expect((error as RecordError).retryable).toBe(false);
    expect((error as Error).message).toMatch(/^writing 4 rows to "t" failed \[SQLITE_CONSTRAINT_NOTNULL\]/);
    expect(db.inTransaction).toBe(false);
    expect(db.prepare('SELECT id FROM t').all()).toEqual([{ id: 1 }]);
  });

  it('takes the write lock at BEGIN: another connection holding it fails the batch before any row, as SQLITE_BUSY', () => {
    const writer = new SqliteBatchWriter(statement);
    const dir = mkdtempSync(join(tmpdir(), 'sqlite-batch-writer-'));
    const file = join(dir, 'locked.db');
    const db = new Database(file, { timeout: 0 });
    const other = new Database(file, { timeout: 0 });
    try {
      db.pragma('journal_mode = WAL');
      db.exec('CREATE TABLE IF NOT EXISTS t (id integer PRIMARY KEY, v text NOT NULL)');
      other.exec('BEGIN IMMEDIATE');
      let error: unknown;
      try {
        writer.write(db as unknown as SqliteConnection, rows(1, 3), 'writing');
      } catch (e) {
        error = e;
      }
      expect((error as RecordError).details).toMatchObject({ code: 'SQLITE_BUSY', retryable: true });
      expect(db.inTransaction).toBe(false);
      other.exec('ROLLBACK');
      writer.write(db as unknown as SqliteConnection, rows(1, 3), 'writing');
      expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 3 });
    } finally {
      db.close();
      other.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
