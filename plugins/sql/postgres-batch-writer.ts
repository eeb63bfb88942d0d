import { Readable, type Writable } from 'node:stream';
import { describeAbortReason } from './abort-reason.js';
import { pipeline } from 'node:stream/promises';
import { describeError, RecordError } from '@sluice/sdk';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { batchError } from './database-error.js';
import { cancelBackend } from './postgres-backend-cancel.js';
import type { PostgresCopyLoad } from './postgres-copy-load.js';
import { copyTextChunks } from './postgres-copy-text.js';
import type { DeleteStatement } from './delete-statement.js';
import type { UpsertStatement } from './upsert-statement.js';

export interface PostgresBatchWriterOptions {
  /** Batches of at least this many rows load through COPY; smaller ones through multi-row INSERTs. */
  readonly copyThreshold: number;
  /** The connection URL, for the connection that cancels a statement. */
  readonly url: string;
  /** Bound on making the cancelling connection; twice it, on waiting for the cancelled statement to end. */
  readonly connectTimeoutMs: number;
  readonly applicationName: string;
  /** The deletes of tombstones, when the sink deletes on null values. */
  readonly deleteStatement?: DeleteStatement;
}

type PgClient = pg.PoolClient & { readonly processID?: number | null };

/**
 * Writes one batch of rows to PostgreSQL in one transaction, on a connection of the pool, straight
 * through pg:
 *
 * - fewer than `copyThreshold` rows: multi-row `INSERT ... ON CONFLICT` statements with bind
 *   parameters ({@link UpsertStatement});
 * - from `copyThreshold` rows on: `COPY ... FROM STDIN` in text format, into a staging table merged
 *   with one `INSERT ... SELECT ... ON CONFLICT` (upserts) or straight into the table (inserts),
 *   see {@link PostgresCopyLoad}.
 *
 * Either way a failure rolls the whole batch back and is reported through {@link batchError}
 * (SQLSTATE classes 21/22/23/42/44 are not retryable, so the runtime isolates the bad records by
 * writing them one by one).
 *
 * Cancellation: when `signal` aborts (the runtime's `writeTimeoutMs`, a shutdown), the statement
 * running on the server is cancelled with `pg_cancel_backend` from a separate connection (a COPY in
 * progress is ended with CopyFail), the transaction rolled back and the write rejected with a
 * retryable error. A statement waiting for a lock thus stops waiting on the server too, instead of
 * holding its place in the lock queue (and the pooled connection) until the lock is released.
 * Should the statement not end within twice `connectTimeoutMs` (the server unreachable), the
 * connection is closed. A connection used by a cancelled write is discarded rather than returned
 * to the pool, so that a late cancel signal can never hit another statement.
 */
export class PostgresBatchWriter {
  constructor(
    private readonly statement: UpsertStatement,
    private readonly load: PostgresCopyLoad,
    private readonly options: PostgresBatchWriterOptions,
  ) {}

  async write(pool: pg.Pool, rows: readonly (readonly unknown[])[], what: string, signal?: AbortSignal, deletes: readonly (readonly unknown[])[] = []): Promise<void> {
    if (signal?.aborted) throw cancelledError(what, signal.reason);
    let client: PgClient;
    try {
      client = await abortable(pool.connect() as Promise<PgClient>, signal, (late) => late.release());
    } catch (error) {
      throw signal?.aborted ? cancelledError(what, signal.reason, error) : batchError(error, 'postgres', what);
    }
    const run = new CancellableRun(client, this.options, signal);
    let discard: Error | undefined;
    try {
      await run.statement(() => client.query('BEGIN'));
      // Tombstones first: no key is both deleted and written in one batch, so the order is free.
      if (deletes.length > 0 && this.options.deleteStatement) for (const { text, parameters } of this.options.deleteStatement.chunks(deletes)) await run.statement(() => client.query(text, parameters));
      if (rows.length >= this.options.copyThreshold) await this.copyRows(run, client, rows);
      else for (const { text, parameters } of this.statement.chunks(rows)) await run.statement(() => client.query(text, parameters));
      await run.statement(() => client.query('COMMIT'));
    } catch (error) {
      discard = await rollback(client);
      if (run.cancelled) throw cancelledError(what, signal?.reason, error);
      throw batchError(error, 'postgres', what);
    } finally {
      await run.end();
      if (run.cancelled) discard ??= new Error('the write was cancelled');
      client.release(discard);
    }
  }

  private async copyRows(run: CancellableRun, client: PgClient, rows: readonly (readonly unknown[])[]): Promise<void> {
    const { createStage, copy, merge } = this.load;
    if (createStage) await run.statement(() => client.query(createStage));
    await run.statement(() => {
      const stream = client.query(copyFrom(copy));
      run.copying = stream;
      return pipeline(Readable.from(copyTextChunks(rows)), stream).finally(() => (run.copying = undefined));
    });
    if (merge) await run.statement(() => client.query(merge));
  }
}

/**
 * The statements of one write and their cancellation: on abort, the statement in progress is
 * cancelled on the server (and a COPY stream failed); a statement not yet started is not started.
 */
class CancellableRun {
  cancelled = false;
  /** The COPY stream being written, if any. */
  copying: Writable | undefined;
  private running = false;
  private cancelling: Promise<unknown> | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  private readonly onAbort = () => this.cancel();
  /** A connection error between statements (no query to report it to): pg emits it, and an unheard 'error' would crash the process. */
  private readonly onError = () => undefined;

  constructor(
    private readonly client: PgClient,
    private readonly options: PostgresBatchWriterOptions,
    private readonly signal: AbortSignal | undefined,
  ) {
    signal?.addEventListener('abort', this.onAbort, { once: true });
    client.on('error', this.onError);
  }

  /** Runs one statement, unless the write was cancelled already. */
  async statement<T>(start: () => Promise<T>): Promise<T> {
    if (this.cancelled || this.signal?.aborted) {
      this.cancelled = true;
      throw new Error('cancelled before the statement started');
    }
    this.running = true;
    try {
      return await start();
    } finally {
      this.running = false;
    }
  }

  private cancel(): void {
    this.cancelled = true;
    if (!this.running) return;
    this.copying?.destroy(new Error(`cancelled: ${describeAbortReason(this.signal?.reason)}`));
    const pid = this.client.processID;
    this.cancelling = (typeof pid === 'number' ? cancelBackend(this.options.url, pid, this.options.connectTimeoutMs, this.options.applicationName) : Promise.resolve(false)).catch(
      () => false,
    );
    // The server unreachable, the cancel lost: close the connection, which fails the statement on our side.
    this.closeTimer = setTimeout(() => {
      if (this.running) (this.client.connection as unknown as { stream?: { destroy(): void } }).stream?.destroy();
    }, 2 * this.options.connectTimeoutMs);
    this.closeTimer.unref();
  }

  /** Stops listening and waits for a cancel request in flight (it must be done before the connection is released). */
  async end(): Promise<void> {
    this.signal?.removeEventListener('abort', this.onAbort);
    clearTimeout(this.closeTimer);
    await this.cancelling;
    this.client.removeListener('error', this.onError);
  }
}

/** Rolls back after a failure; returns an error when the connection must not go back to the pool. */
async function rollback(client: PgClient): Promise<Error | undefined> {
  try {
    await client.query('ROLLBACK');
    return undefined;
  } catch (error) {
    // The connection is gone or unusable: the server rolls back by itself once it closes.
    return error instanceof Error ? error : new Error(describeError(error));
  }
}

/** `promise`, or a rejection as soon as `signal` aborts; a value arriving after that goes to `late`. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined, late: (value: T) => void): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const onAbort = () => {
      settled = true;
      reject(signal.reason instanceof Error ? signal.reason : new Error(describeAbortReason(signal.reason)));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (settled) late(value);
        else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (!settled) reject(error);
      },
    );
  });
}

function cancelledError(what: string, reason: unknown, cause?: unknown): RecordError {
  return new RecordError(`${what} cancelled (${describeAbortReason(reason)}); the transaction was rolled back`, {
    retryable: true,
    ...(cause === undefined ? {} : { cause }),
    details: { driver: 'postgres', cancelled: true },
  });
}
