import type { HealthReport } from './health.js';
import type { Checkpoint, SluiceRecord } from './record.js';

/** Records of a batch that failed on their own while the rest of the batch was stored. */
export interface SinkWriteResult {
  readonly failed: ReadonlyArray<{ readonly index: number; readonly error: unknown }>;
}

/**
 * A sink stores records. `write` resolves once every record of the batch is durably stored: that
 * resolution is the acknowledgement the runtime commits source positions on.
 *
 * Throw when the whole batch failed and nothing of it is stored (a transaction rolled back): the
 * runtime retries retryable errors with backoff, then writes the records one by one to isolate the
 * bad ones, which go to the dead-letter destination. Return a {@link SinkWriteResult} when the store
 * tells which records failed while the others were kept. Make writes idempotent (upsert by key)
 * wherever the store allows: after a crash, records are delivered again.
 *
 * `signal` is aborted when the write ran past the stage's `writeTimeoutMs` or the pipeline stops
 * for good: give up waiting (roll back, cancel the request) and throw. The runtime always passes
 * one; it is optional in the type only so that tests may call `write(batch)`.
 */
export interface Sink {
  /** Connects. Bounded by the stage's `startTimeoutMs`; retried with backoff while it throws. */
  start?(): Promise<void>;
  write(batch: readonly SluiceRecord[], signal?: AbortSignal): Promise<void | SinkWriteResult>;
  /** Closes, once everything written was acknowledged. */
  stop?(): Promise<void>;
  health?(): HealthReport | Promise<HealthReport>;
}

/**
 * What a transactional sink commits together with a batch: the source positions the batch takes
 * the pipeline to. `scope` identifies the pipeline and its source (stable across restarts).
 */
export interface SourceCommit {
  readonly scope: string;
  readonly checkpoint: Checkpoint;
}

/**
 * A sink that stores source positions in the same transaction as its rows (declared with the
 * `transactional` capability). The runtime then resumes from what the sink committed, so a batch
 * is stored exactly once even across crashes.
 */
export interface TransactionalSink extends Sink {
  /** Stores the batch and `commit` atomically: both or neither. */
  writeTransaction(batch: readonly SluiceRecord[], commit: SourceCommit, signal?: AbortSignal): Promise<void>;
  /** The checkpoint last committed for `scope`, or null when none was. */
  committedCheckpoint(scope: string): Promise<Checkpoint | null>;
}

export function isTransactionalSink(sink: Sink): sink is TransactionalSink {
  const candidate = sink as Partial<TransactionalSink>;
  return typeof candidate.writeTransaction === 'function' && typeof candidate.committedCheckpoint === 'function';
}
