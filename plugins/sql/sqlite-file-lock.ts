import { SerialLock } from '@sluice/sdk';

/**
 * One lock per SQLite database file in this process. SQLite has one writer per file: two sinks of
 * one process writing the same file through two connections would run into each other's open
 * transaction (SQLITE_BUSY, then pauses of SqliteLockWait, meant for other processes). Sinks of the
 * same file therefore take turns through this lock, one transaction or query at a time
 * (`:memory:` databases are private to their connection: each gets its own lock).
 */
const locks = new Map<string, SerialLock>();

export function sqliteFileLock(database: string): SerialLock {
  if (database === ':memory:') return new SerialLock();
  let lock = locks.get(database);
  if (!lock) {
    lock = new SerialLock();
    locks.set(database, lock);
  }
  return lock;
}
