import { SerialLock } from '@sluice/sdk';

/**
 * One lock per SQLite database file in this process. SQLite has one writer per file, and
 * better-sqlite3 waits for a lock synchronously: two sinks of one process writing the same file
 * through two connections would block the event loop on each other's open transaction until the
 * busy timeout (seconds per batch). Sinks of the same file therefore take turns through this lock
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
