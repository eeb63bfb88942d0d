import { RecordError } from '@sluice/sdk';
import Database from 'better-sqlite3';
import { QueryFailedError } from 'typeorm';
import { batchError } from './database-error.js';
import { sqliteLockCode, SqliteLockedError, SqliteLockWait } from './sqlite-lock-wait.js';

const busy = (code = 'SQLITE_BUSY') => new QueryFailedError('INSERT ...', [], new Database.SqliteError('database is locked', code));

describe('sqliteLockCode', () => {
  it('finds SQLITE_BUSY* / SQLITE_LOCKED* on the driver error, through TypeORM and the sink\'s RecordError', () => {
    expect(sqliteLockCode(new Database.SqliteError('database is locked', 'SQLITE_BUSY'))).toBe('SQLITE_BUSY');
    expect(sqliteLockCode(busy('SQLITE_BUSY_SNAPSHOT'))).toBe('SQLITE_BUSY_SNAPSHOT');
    expect(sqliteLockCode(busy('SQLITE_LOCKED_SHAREDCACHE'))).toBe('SQLITE_LOCKED_SHAREDCACHE');
    expect(sqliteLockCode(batchError(busy(), 'sqlite', 'writing'))).toBe('SQLITE_BUSY');
  });

  it('is undefined for every other error', () => {
    expect(sqliteLockCode(busy('SQLITE_CONSTRAINT_UNIQUE'))).toBeUndefined();
    expect(sqliteLockCode(new RecordError('x', { retryable: true }))).toBeUndefined();
    expect(sqliteLockCode(new Error('x'))).toBeUndefined();
    expect(sqliteLockCode(undefined)).toBeUndefined();
    expect(sqliteLockCode({ code: 40001 })).toBeUndefined();
  });
});

describe('SqliteLockWait', () => {
  it('retries an attempt that meets a lock until it succeeds', async () => {
    let calls = 0;
    const result = await new SqliteLockWait('/db/x.db', 5000).run('writing', async () => {
      if (++calls < 4) throw busy();
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(calls).toBe(4);
  });

  it('does not retry other errors', async () => {
    let calls = 0;
    const error = new Error('no such table: orders');
    await expect(
      new SqliteLockWait('/db/x.db', 5000).run('writing', async () => {
        calls++;
        throw error;
      }),
    ).rejects.toBe(error);
    expect(calls).toBe(1);
  });

  it('pauses between attempts, growing from 5 ms and never past 100 ms, and gives up after lockWaitMs', async () => {
    const starts: number[] = [];
    const error = await new SqliteLockWait('/db/x.db', 600)
      .run('writing 3 rows to "t"', async () => {
        starts.push(performance.now());
        throw busy();
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqliteLockedError);
    expect(error).toMatchObject({ database: '/db/x.db', code: 'SQLITE_BUSY' });
    expect((error as Error).message).toMatch(
      /^writing 3 rows to "t" failed \[SQLITE_BUSY\]: SQLite database \/db\/x\.db is locked by another connection \(still locked after waiting \d+ ms and \d+ attempts; the sink waits up to lockWaitMs = 600 ms\)$/,
    );
    const pauses = starts.slice(1).map((t, i) => t - starts[i]!);
    expect(pauses[0]).toBeLessThan(50);
    // Bounded pauses: far more attempts than a plain doubling would make in 600 ms.
    expect(starts.length).toBeGreaterThanOrEqual(8);
    expect(Math.max(...pauses)).toBeLessThan(250);
    expect(starts.at(-1)! - starts[0]!).toBeGreaterThanOrEqual(590);
  });

  it('ends the wait as soon as one of the signals aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('write timed out')), 30);
    const started = performance.now();
    const error = await new SqliteLockWait('/db/x.db', 60_000)
      .run('writing', () => Promise.reject(busy()), [undefined, new AbortController().signal, controller.signal])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqliteLockedError);
    expect((error as Error).message).toMatch(/^writing cancelled after waiting \d+ ms for SQLite database \/db\/x\.db, locked by another connection \[SQLITE_BUSY\]: write timed out$/);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
