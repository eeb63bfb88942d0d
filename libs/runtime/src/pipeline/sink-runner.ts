import { backoffDelay, Batcher, describeError, isRetryable, sleep, type PluginLogger, type Sink, type SluiceRecord } from '@sluice/sdk';
import { closeInlet, openInlet, type StageInlet } from './topology/stage-link.js';
import type { PipelineConfig, StageConfig } from '../config/sluice-config.js';
import type { DeadLetter, DeadLetterQueue } from './dead-letter-queue.js';
import { DeadlineExceeded, withDeadline } from '../delivery/deadline.js';
import { PluginStage } from './plugin-stage.js';
import type { StageMonitor } from './stage-monitor.js';
import { payloadSize } from './payload-size.js';

/** One delivery from the channel: acknowledged when all its records are stored or dead-lettered. */
interface Delivery {
  remaining: number;
  failed: boolean;
  resolve(): void;
  reject(error: unknown): void;
}

interface Pending {
  readonly record: SluiceRecord;
  readonly delivery: Delivery;
}

export interface SinkRunnerOptions {
  readonly config: PipelineConfig;
  readonly stage: StageConfig;
  readonly sink: Sink;
  /** Where its batches come from: a channel, or the stage before it in a fused chain. */
  readonly inlet: StageInlet;
  readonly deadLetters: DeadLetterQueue;
  readonly monitor: StageMonitor;
  readonly logger: PluginLogger;
}

/**
 * Consumes a channel into a sink: gathers records into batches (count / bytes / time), writes one
 * batch at a time, and acknowledges each delivery once all its records are stored.
 *
 * Failures: a retryable error is retried with backoff; when the store stays unavailable the stage
 * turns `degraded` and keeps retrying (records are neither lost nor dead-lettered for an outage).
 * A non-retryable error of a whole batch is isolated by writing its records one by one; records
 * that fail on their own go to the dead-letter destination with the error and attempt count.
 */
export class SinkRunner {
  private readonly stopController = new AbortController();
  private readonly batcher: Batcher<Pending>;
  private writing: Promise<void> = Promise.resolve();

  private readonly plugin: PluginStage<Sink>;
  private subscribed = false;

  constructor(private readonly options: SinkRunnerOptions) {
    this.plugin = new PluginStage(options.sink, options.stage, options.monitor, options.config.restart, options.logger);
    this.batcher = new Batcher(options.config.batch, (batch) => {
      this.writing = this.writing.then(() => this.writeBatch(batch));
    });
  }

  /** Starts the sink (bounded, retried until `signal` aborts), then consumes its channel. */
  async start(signal: AbortSignal): Promise<void> {
    const { inlet, monitor } = this.options;
    await this.plugin.start(signal);
    await openInlet(inlet, (records) => this.handle(records));
    this.subscribed = true;
    monitor.transition('running');
  }

  /** Records a failed attempt at something the stage needs before it runs (its channel). */
  startFailed(error: unknown, attempt: number, message: string): void {
    this.plugin.startFailed(error, attempt, message);
  }

  /** Stops consuming, writes what is queued, then stops the sink. */
  async stop(): Promise<void> {
    const { inlet, monitor } = this.options;
    monitor.transition('stopping');
    if (this.subscribed) {
      this.subscribed = false;
      await closeInlet(inlet);
    }
    this.batcher.flush();
    await this.writing;
    this.stopController.abort();
    await this.plugin.stop();
  }

  /** Queues one batch for writing; resolves once all its records are stored or dead-lettered. */
  handle(records: SluiceRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const delivery: Delivery = { remaining: records.length, failed: false, resolve, reject };
      const { maxBytes } = this.options.config.batch;
      this.options.monitor.counters.in += records.length;
      for (const record of records) {
        this.batcher.add({ record, delivery }, maxBytes > 0 ? payloadSize(record.value) : 0);
      }
    });
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    const started = performance.now();
    try {
      const dead = await this.store(batch.map((p) => p.record));
      const deadSet = new Set(dead.map((d) => d.record));
      if (dead.length > 0) await this.options.deadLetters.send(dead, this.stopController.signal);
      this.options.monitor.counters.deadLettered += dead.length;
      this.options.monitor.counters.out += batch.length - dead.length;
      this.options.monitor.batchLatency.record(performance.now() - started);
      for (const pending of batch) {
        if (!deadSet.has(pending.record)) this.options.monitor.counters.acked++;
        settle(pending.delivery);
      }
    } catch (error) {
      // Stopped while the store was failing, or the dead-letter destination failed: refuse the
      // deliveries so that upstream keeps the records (they are delivered again).
      this.options.monitor.fail(error);
      for (const pending of batch) fail(pending.delivery, error);
    }
  }

  /**
   * Stores `records`; returns those that failed for good (to dead-letter). `firstAttempt`: how many
   * times these records were tried already, plus one (records a sink refused are retried with the
   * count they reached, so that they are dead-lettered after `retry.maxAttempts`).
   */
  private async store(records: SluiceRecord[], firstAttempt = 1): Promise<DeadLetter[]> {
    const { sink, config, monitor, logger, stage } = this.options;
    const signal = this.stopController.signal;
    for (let attempt = firstAttempt; ; attempt++) {
      try {
        const result = await withDeadline((deadline) => sink.write(records, deadline), stage.timeouts.writeMs, `a write of ${records.length} record(s) to ${stage.path} (plugin "${stage.plugin}")`, signal);
        if (monitor.state === 'degraded') {
          monitor.transition('running');
          logger.info({ attempts: attempt }, 'sink recovered');
        }
        if (!result || result.failed.length === 0) return [];
        // Some records failed on their own: the rest is stored.
        const dead: DeadLetter[] = [];
        const retried = new Set<number>();
        const failed = new Set<number>();
        for (const { index, error } of result.failed) {
          const record = records[index];
          if (record === undefined) continue;
          failed.add(index);
          if (isRetryable(error) && attempt < config.retry.maxAttempts) retried.add(index);
          else dead.push({ record, error: describeError(error), stage: stage.name, plugin: stage.plugin, attempts: attempt, retryable: isRetryable(error) });
        }
        const retry = inKeyOrder(records, retried, failed);
        if (retry.length > 0) {
          monitor.counters.retried += retry.length;
          await sleep(backoffDelay(attempt, config.retry), signal);
          dead.push(...(await this.store(retry, attempt + 1)));
        }
        return dead;
      } catch (error) {
        if (signal.aborted) throw error;
        const retryable = isRetryable(error);
        if (!retryable) {
          if (records.length === 1) return [{ record: records[0], error: describeError(error), stage: stage.name, plugin: stage.plugin, attempts: attempt, retryable }];
          logger.warn({ err: describeError(error), records: records.length }, 'batch refused; writing its records one by one to isolate the bad ones');
          const dead: DeadLetter[] = [];
          for (const record of records) dead.push(...(await this.store([record])));
          return dead;
        }
        monitor.counters.retried += records.length;
        monitor.fail(error);
        if (error instanceof DeadlineExceeded && monitor.state !== 'degraded') {
          // A hung store is an outage whatever the attempt count: say so at once.
          monitor.transition('degraded');
          logger.error({ err: describeError(error), attempts: attempt }, 'sink write timed out; retrying until the store answers');
        } else if (attempt >= config.retry.maxAttempts && monitor.state !== 'degraded') {
          monitor.transition('degraded');
          logger.error({ err: describeError(error), attempts: attempt }, 'sink keeps failing; retrying until it recovers');
        }
        await sleep(backoffDelay(attempt, config.retry), signal);
      }
    }
  }
}

function settle(delivery: Delivery): void {
  delivery.remaining--;
  if (delivery.remaining === 0 && !delivery.failed) delivery.resolve();
}

function fail(delivery: Delivery, error: unknown): void {
  if (delivery.failed) return;
  delivery.failed = true;
  delivery.reject(error);
}

/**
 * The records to write again, in batch order: those retried, and every later record of their keys
 * that was stored meanwhile, so that a key's last write is its last record (per-key order holds
 * across partial failures; writing a stored record again is an idempotent upsert).
 */
function inKeyOrder(records: readonly SluiceRecord[], retried: ReadonlySet<number>, failed: ReadonlySet<number>): SluiceRecord[] {
  if (retried.size === 0) return [];
  const firstRetried = new Map<string, number>();
  for (const index of retried) {
    const key = records[index].key;
    if (key !== null && !(firstRetried.get(key)! <= index)) firstRetried.set(key, index);
  }
  return records.filter((record, index) => retried.has(index) || (!failed.has(index) && record.key !== null && firstRetried.get(record.key)! < index));
}
