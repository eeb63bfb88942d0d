import type { SourceStartContext } from './context.js';
import type { HealthReport } from './health.js';
import type { Checkpoint, SourceRecord } from './record.js';

/**
 * A source reads records from the outside world.
 *
 * The runtime calls `start` once (and again after a crash, with the last committed checkpoint),
 * then `read` in a loop, and `stop` when the pipeline stops. It never calls `read` concurrently.
 * Delivery is the runtime's job: it commits a position only once the record at that position and
 * every earlier record of the same lane were acknowledged by the sink or dead-lettered.
 */
export interface Source {
  /** Opens the input, resuming after `context.checkpoint`. Bounded by the stage's `startTimeoutMs`. */
  start?(context: SourceStartContext): Promise<void>;
  /**
   * The next records. Wait (honouring `signal`) when none are ready. Return `[]` to be called
   * again right away, and `null` once the input is exhausted (a finite source is then done).
   */
  read(signal: AbortSignal): Promise<SourceRecord[] | null>;
  /**
   * Called after the runtime durably committed these positions (contiguous per lane). Sources whose
   * system keeps its own offsets (a Kafka consumer group) commit there; others need not implement it.
   */
  commit?(checkpoint: Checkpoint): Promise<void>;
  stop?(): Promise<void>;
  health?(): HealthReport | Promise<HealthReport>;
}
