import type { JsonValue } from '@sluice/sdk';

/**
 * What a job does when it runs (trigger a source, run a query, run a plugin action). Tasks are
 * looked up against the running pipelines at each run: a restarted pipeline has new instances.
 */
export interface JobTask {
  /** `trigger`, `query` or `action`. */
  readonly kind: string;
  /** What it does, in words (for /api/jobs and messages), e.g. `trigger the source of pipeline "x"`. */
  readonly description: string;
  /**
   * Throws, with a message saying what is wrong and how to fix it, when the task cannot run on the
   * running pipelines (no such stage, a source that cannot be triggered...). Called once when the
   * jobs start.
   */
  check(): void | Promise<void>;
  /** One run: resolves with a short JSON summary. Honour `signal` (timeout, host stopping). */
  run(signal: AbortSignal): Promise<JsonValue>;
}
