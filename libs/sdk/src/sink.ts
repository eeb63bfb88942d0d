import type { HealthReport } from './health.js';
import type { SluiceRecord } from './record.js';

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
 */
export interface Sink {
  start(): Promise<void>;
  write(batch: readonly SluiceRecord[]): Promise<void | SinkWriteResult>;
  stop(): Promise<void>;
  health?(): HealthReport | Promise<HealthReport>;
}
