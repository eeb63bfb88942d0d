import { RetryableError } from '@sluice/sdk';
import { describeAbortReason } from './abort-reason.js';
import { driverErrorOf } from './database-error.js';

/**
 * SQLite's busy timeout on the sink's connection, in milliseconds. better-sqlite3 is synchronous:
 * while SQLite waits out a lock held by another connection (another process, the sqlite3 CLI), it
 * sleeps inside the call and the whole Node process stands still. The busy timeout is therefore
 * kept to a few milliseconds, and {@link SqliteLockWait} does the real waiting, asynchronously.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 5;

/** First pause after SQLITE_BUSY, in ms; doubles on every attempt up to {@link MAX_PAUSE_MS}. */
const FIRST_PAUSE_MS = 5;
/** Longest pause between attempts: how late, at most, a write notices that the lock was released. */
const MAX_PAUSE_MS = 100;

/** The SQLite result code of an error when it says the database (or a table) is locked: SQLITE_BUSY*, SQLITE_LOCKED*. */
export function sqliteLockCode(error: unknown): string | undefined {
  // Through TypeORM's QueryFailedError (driverError) and the sink's RecordError (cause).
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code)) return code;
    const inner = driverErrorOf(current);
    current = inner !== current ? inner : (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The database stayed locked by another connection for longer than the sink waits (`lockWaitMs`),
 * or the wait was cancelled. Not a fault of the records: a RetryableError, which the runtime retries
 * with backoff (the stage turns `degraded` meanwhile) and never dead-letters.
 */
export class SqliteLockedError extends RetryableError {
  constructor(
    message: string,
    readonly database: string,
    readonly code: string,
    readonly waitedMs: number,
    cause: unknown,
  ) {
    super(message, { cause });
    this.name = 'SqliteLockedError';
  }
}

/**
 * Waits out locks that other connections hold on a SQLite database file, without blocking the
 * event loop: an attempt (a whole transaction, or a query) that fails with SQLITE_BUSY or
 * SQLITE_LOCKED is retried after a pause (setTimeout, exponential from 5 ms up to 100 ms, with
 * jitter) until it succeeds or `lockWaitMs` have passed since the first attempt; then it fails
 * with a {@link SqliteLockedError} naming the file. An aborted signal ends the wait at once.
 */
export class SqliteLockWait {
  constructor(
    /** The database file, as it is named in errors. */
    private readonly database: string,
    /** How long to keep retrying, in milliseconds (0: fail at the first SQLITE_BUSY). */
    private readonly lockWaitMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Runs `attempt` until it does not fail for a lock. `attempt` must leave nothing behind when it
   * fails (roll its transaction back), so that running it again is running it for the first time.
   * `what` says what is being done, for the error message ("writing 20 rows to \"orders\"").
   */
  async run<T>(what: string, attempt: () => Promise<T>, signals: ReadonlyArray<AbortSignal | undefined> = []): Promise<T> {
    const started = this.now();
    for (let attempts = 1; ; attempts++) {
      try {
        return await attempt();
      } catch (error) {
        const code = sqliteLockCode(error);
        if (code === undefined) throw error;
        const waited = this.now() - started;
        const left = this.lockWaitMs - waited;
        if (left <= 0) {
          throw this.lockedError(
            `${what} failed [${code}]: SQLite database ${this.database} is locked by another connection ` +
              `(still locked after waiting ${Math.round(waited)} ms and ${attempts} attempts; the sink waits up to lockWaitMs = ${this.lockWaitMs} ms)`,
            code,
            waited,
            error,
          );
        }
        const aborted = signals.find((signal) => signal?.aborted);
        if (!aborted) await pause(Math.min(left, backoff(attempts)), signals);
        const cancelled = aborted ?? signals.find((signal) => signal?.aborted);
        if (cancelled) {
          const waitedNow = this.now() - started;
          throw this.lockedError(
            `${what} cancelled after waiting ${Math.round(waitedNow)} ms for SQLite database ${this.database}, ` +
              `locked by another connection [${code}]: ${describeAbortReason(cancelled.reason)}`,
            code,
            waitedNow,
            error,
          );
        }
      }
    }
  }

  private lockedError(message: string, code: string, waited: number, cause: unknown): SqliteLockedError {
    return new SqliteLockedError(message, this.database, code, Math.round(waited), driverErrorOf(causeOf(cause)));
  }
}

/** The pause before attempt `attempts + 1`: exponential, capped, with jitter so that waiting writers do not retry in step. */
function backoff(attempts: number): number {
  const ceiling = Math.min(MAX_PAUSE_MS, FIRST_PAUSE_MS * 2 ** (attempts - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Resolves after `ms`, or as soon as one of the signals aborts. */
function pause(ms: number, signals: ReadonlyArray<AbortSignal | undefined>): Promise<void> {
  return new Promise((resolve) => {
    const live = signals.filter((signal): signal is AbortSignal => signal !== undefined);
    const done = () => {
      clearTimeout(timer);
      for (const signal of live) signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    for (const signal of live) signal.addEventListener('abort', done, { once: true });
  });
}

/** The driver's error behind the sink's RecordError, for the cause of a SqliteLockedError. */
function causeOf(error: unknown): unknown {
  return error instanceof Error && error.cause !== undefined ? error.cause : error;
}
