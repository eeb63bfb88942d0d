import { describeError, retry, SerialLock, type Sink, type SluiceRecord } from '@sluice/sdk';
import type { RetryPolicy } from '../config/sluice-config.js';
import type { StageMonitor } from './stage-monitor.js';
import { withDeadline } from '../delivery/deadline.js';
import { deadLetterPayload } from './dead-letter-payload.js';
import type { PipelineIdentity } from './pipeline-identity.js';

/** A record that failed for good, and why. */
export interface DeadLetter {
  /** The input of the step that failed: what a replay hands to that step again. */
  readonly record: SluiceRecord;
  readonly error: string;
  /** Stage where it failed (`source`, `transforms[1]`, `sink`). */
  readonly stage: string;
  readonly plugin: string;
  readonly attempts: number;
  readonly retryable: boolean;
}

/** The value written to the dead-letter destination for each failed record. */
export interface DeadLetterValue {
  readonly pipeline: string;
  /** The pipeline's config hash when the record failed (see {@link PipelineIdentity}). */
  readonly configHash: string;
  /** The step that failed; `record` is its input, so a replay can re-enter the pipeline there. */
  readonly stage: string;
  readonly plugin: string;
  readonly error: string;
  readonly attempts: number;
  readonly retryable: boolean;
  readonly failedAt: string;
  /** The record as the failed step received it. Its value is a {@link UnserialisableValue} when it could not be written as JSON. */
  readonly record: { key: string | null; value: unknown; headers: Record<string, string>; timestamp: number; origin: SluiceRecord['origin'] };
}

/**
 * Writes failed records, with the reason, the stage and the attempt count, to the pipeline's
 * dead-letter sink. `send` resolves once they are stored: only then may the failed records count
 * as handled (and their source positions be committed).
 */
export class DeadLetterQueue {
  private readonly lock = new SerialLock();

  constructor(
    private readonly pipeline: PipelineIdentity,
    private readonly sink: Sink,
    private readonly retry: RetryPolicy,
    readonly monitor: StageMonitor,
    /** Bound on one write of the dead-letter sink (its `writeTimeoutMs`). */
    private readonly writeTimeoutMs: number,
  ) {}

  static toRecord(pipeline: PipelineIdentity, letter: DeadLetter, now = new Date()): SluiceRecord<DeadLetterValue> {
    const { record } = letter;
    const value = deadLetterPayload(record.value);
    return {
      key: record.key,
      timestamp: now.getTime(),
      origin: record.origin,
      headers: {
        ...record.headers,
        'sluice.dlq.error': letter.error,
        'sluice.dlq.stage': letter.stage,
        'sluice.dlq.plugin': letter.plugin,
        'sluice.dlq.attempts': String(letter.attempts),
        'sluice.dlq.config-hash': pipeline.configHash,
      },
      value: {
        pipeline: pipeline.name,
        configHash: pipeline.configHash,
        stage: letter.stage,
        plugin: letter.plugin,
        error: letter.error,
        attempts: letter.attempts,
        retryable: letter.retryable,
        failedAt: now.toISOString(),
        record: { key: record.key, value, headers: { ...record.headers }, timestamp: record.timestamp, origin: record.origin },
      },
    };
  }

  /** Stores the letters (serialised with other sends); throws when the destination keeps failing. */
  async send(letters: readonly DeadLetter[], signal?: AbortSignal): Promise<void> {
    if (letters.length === 0) return;
    await this.lock.run(() => this.write(letters, signal));
  }

  private async write(letters: readonly DeadLetter[], signal?: AbortSignal): Promise<void> {
    const records = letters.map((letter) => DeadLetterQueue.toRecord(this.pipeline, letter));
    this.monitor.counters.in += records.length;
    const started = performance.now();
    await retry(
      async () => {
        const result = await withDeadline((deadline) => this.sink.write(records, deadline), this.writeTimeoutMs, 'dead-letter write', signal);
        if (result && result.failed.length > 0) {
          throw new Error(`dead-letter destination refused ${result.failed.length} record(s): ${describeError(result.failed[0].error)}`);
        }
      },
      { backoff: this.retry, maxAttempts: this.retry.maxAttempts, ...(signal ? { signal } : {}), onRetry: () => this.monitor.counters.retried++ },
    ).catch((error: unknown) => {
      this.monitor.fail(error);
      throw error;
    });
    this.monitor.batchLatency.record(performance.now() - started);
    this.monitor.counters.acked += records.length;
  }
}
