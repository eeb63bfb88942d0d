import { describeError, retry, type RetriesExhausted, type TransformOutput, type PluginLogger, type SluiceRecord, type Transform } from '@sluice/sdk';
import { closeInlet, openInlet, type StageInlet, type StageOutlet } from './topology/stage-link.js';
import type { PipelineConfig, StageConfig } from '../config/sluice-config.js';
import type { DeadLetter, DeadLetterQueue } from './dead-letter-queue.js';
import { PluginStage } from './plugin-stage.js';
import type { StageMonitor } from './stage-monitor.js';

export interface TransformRunnerOptions {
  readonly config: PipelineConfig;
  readonly stage: StageConfig;
  readonly transform: Transform;
  /** Where its batches come from: a channel, or the stage before it in a fused chain. */
  readonly inlet: StageInlet;
  /** Where its outputs go: a channel, or the next stage of the chain. */
  readonly outlet: StageOutlet;
  readonly deadLetters: DeadLetterQueue;
  readonly monitor: StageMonitor;
  readonly logger: PluginLogger;
  /**
   * Called before each batch is processed (a keyed-state stage restores what a refused batch
   * changed); with it, batches are handled whole, one at a time.
   */
  readonly beforeBatch?: () => Promise<void>;
}

interface Processed {
  readonly outputs: SluiceRecord[];
  readonly dead: DeadLetter[];
}

/**
 * Consumes a channel, runs one transform over each record (retrying retryable errors with backoff,
 * dead-lettering records that fail for good), and publishes the results to the next channel.
 * A batch is acknowledged upstream only once its results were accepted downstream and its failures
 * stored. Batches are processed one after the other, so per-key order holds.
 */
export class TransformRunner {
  private readonly stopController = new AbortController();
  private tail: Promise<unknown> = Promise.resolve();

  private readonly plugin: PluginStage<Transform>;
  private subscribed = false;

  constructor(private readonly options: TransformRunnerOptions) {
    this.plugin = new PluginStage(options.transform, options.stage, options.monitor, options.config.restart, options.logger);
  }

  /** Starts the transform (bounded, retried until `signal` aborts), then consumes its channel. */
  async start(signal: AbortSignal): Promise<void> {
    const { inlet, monitor } = this.options;
    await this.plugin.start(signal);
    await openInlet(inlet, (records) => this.handle(records));
    this.subscribed = true;
    monitor.transition('running');
  }

  async stop(): Promise<void> {
    const { inlet, monitor } = this.options;
    monitor.transition('stopping');
    if (this.subscribed) {
      this.subscribed = false;
      await closeInlet(inlet);
    }
    await this.tail;
    this.stopController.abort();
    await this.plugin.stop();
  }

  /**
   * Processes one batch and hands the outputs on; resolves once they were taken downstream. The
   * next batch is processed while this one's outputs travel, except for a stage that keeps state
   * per batch (`beforeBatch`): its batches go whole, one after the other, whatever the inlet does.
   */
  handle(records: SluiceRecord[]): Promise<void> {
    if (this.options.beforeBatch) {
      const whole = this.tail.then(async () => this.forward(await this.process(records), records.length));
      this.tail = whole.catch(() => undefined);
      return whole;
    }
    const processed = this.tail.then(() => this.process(records));
    this.tail = processed.catch(() => undefined);
    return processed.then((result) => this.forward(result, records.length));
  }

  private async process(records: readonly SluiceRecord[]): Promise<Processed> {
    const { transform, monitor, beforeBatch } = this.options;
    await beforeBatch?.();
    const started = performance.now();
    monitor.counters.in += records.length;
    const outputs: SluiceRecord[] = [];
    const dead: DeadLetter[] = [];
    for (const record of records) {
      let result: TransformOutput;
      try {
        const pending = transform.process(record, this.stopController.signal);
        result = pending instanceof Promise ? await pending : pending;
      } catch (error) {
        const retried = await this.retryRecord(record, error);
        if ('letter' in retried) {
          dead.push(retried.letter);
          continue;
        }
        result = retried.result;
      }
      if (result === null) monitor.counters.dropped++;
      else if (Array.isArray(result)) {
        if (result.length === 0) monitor.counters.dropped++;
        for (const output of result) outputs.push(output);
      } else outputs.push(result as SluiceRecord);
    }
    monitor.batchLatency.record(performance.now() - started);
    return { outputs, dead };
  }

  /**
   * After a record's first attempt failed: the retry policy decides (the first attempt is already
   * counted); a record that fails for good becomes a dead letter with its last error.
   */
  private async retryRecord(record: SluiceRecord, firstError: unknown): Promise<{ result: TransformOutput } | { letter: DeadLetter }> {
    const { transform, monitor, config, stage } = this.options;
    const signal = this.stopController.signal;
    try {
      const result = await retry((attempt) => (attempt === 1 ? Promise.reject(firstError) : Promise.resolve(transform.process(record, signal))), {
        backoff: config.retry,
        maxAttempts: config.retry.maxAttempts,
        signal,
        onRetry: () => monitor.counters.retried++,
      });
      return { result };
    } catch (error) {
      const exhausted = error as RetriesExhausted;
      return { letter: { record, error: describeError(exhausted.cause), stage: stage.name, plugin: stage.plugin, attempts: exhausted.attempts, retryable: exhausted.retryable } };
    }
  }

  private async forward({ outputs, dead }: Processed, received: number): Promise<void> {
    const { outlet, deadLetters, monitor, transform } = this.options;
    await Promise.all([outputs.length > 0 ? outlet.publish(outputs) : undefined, deadLetters.send(dead)]);
    // The transform's state must hold what this batch did before the batch is acknowledged.
    await transform.flush?.();
    monitor.counters.out += outputs.length;
    monitor.counters.deadLettered += dead.length;
    monitor.counters.acked += received;
  }
}
