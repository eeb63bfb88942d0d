import type { HealthReport } from './health.js';
import type { SluiceRecord } from './record.js';

/** One record (map), several (fan-out), or none (`null` or `[]`: the record is filtered out). */
export type TransformOutput = SluiceRecord | readonly SluiceRecord[] | null;

/**
 * A transform turns one record into zero or more. Throw a `RecordError` for bad data (the record
 * is dead-lettered with your message); a `RetryableError` (or any other error) is retried.
 *
 * `signal` is aborted when the pipeline stops for good: a transform that waits (a lookup, a call)
 * gives up and throws. The runtime always passes one; it is optional so tests may omit it.
 */
export interface Transform {
  start?(): Promise<void>;
  process(record: SluiceRecord, signal?: AbortSignal): TransformOutput | Promise<TransformOutput>;
  /**
   * For stateful transforms (counts, windows...): make what the records processed so far changed in
   * your state durable. The runtime calls it once a batch's outputs were passed on and before the
   * batch is acknowledged, so a crash never loses the effect of an acknowledged record. Throwing
   * refuses the batch (it is delivered again). Resolve at once when nothing changed.
   */
  flush?(): Promise<void>;
  stop?(): Promise<void>;
  health?(): HealthReport | Promise<HealthReport>;
}

/** A copy of `record` with another value (and optionally other fields). */
export function withValue<V>(record: SluiceRecord, value: V, changes: Partial<Omit<SluiceRecord<V>, 'value'>> = {}): SluiceRecord<V> {
  return { ...record, ...changes, value };
}
