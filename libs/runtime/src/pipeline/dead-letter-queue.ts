import { describeError, SerialLock, type Sink, type SluiceRecord } from '@sluice/sdk';
import type { RetryPolicy } from '../config/sluice-config.js';
import { withRetry } from '../delivery/retry.js';
import type { StageMonitor } from './stage-monitor.js';

/** A record that failed for good, and why. */
export interface DeadLetter {
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
  readonly stage: string;
  readonly plugin: string;
  readonly error: string;
  readonly attempts: number;
  readonly retryable: boolean;
  readonly failedAt: string;
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
    private readonly pipeline: string,
    private readonly sink: Sink,
    private readonly retry: RetryPolicy,
    readonly monitor: StageMonitor,
  ) {}

  static toRecord(pipeline: string, letter: DeadLetter, now = new Date()): SluiceRecord<DeadLetterValue> {
    const { record } = letter;
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
      },
      value: {
        pipeline,
        stage: letter.stage,
        plugin: letter.plugin,
        error: letter.error,
        attempts: letter.attempts,
        retryable: letter.retryable,
        failedAt: now.toISOString(),
        record: { key: record.key, value: record.value, headers: { ...record.headers }, timestamp: record.timestamp, origin: record.origin },
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
    await withRetry(
      async () => {
        const result = await this.sink.write(records);
        if (result && result.failed.length > 0) {
          throw new Error(`dead-letter destination refused ${result.failed.length} record(s): ${describeError(result.failed[0].error)}`);
        }
      },
      this.retry,
      { signal, onRetry: () => this.monitor.counters.retried++ },
    ).catch((error: unknown) => {
      this.monitor.fail(error);
      throw error;
    });
    this.monitor.batchLatency.record(performance.now() - started);
    this.monitor.counters.acked += records.length;
  }
}
