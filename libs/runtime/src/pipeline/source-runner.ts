import { backoffDelay, Batcher, ContiguousTracker, describeError, InFlightLimit, retry, sleep, type PluginLogger, type Source, type SourceRecord, type SluiceRecord, type TrackedPosition } from '@sluice/sdk';
import type { StageOutlet } from './topology/stage-link.js';
import type { PipelineConfig } from '../config/sluice-config.js';
import { CheckpointStore } from '../delivery/checkpoint-store.js';
import type { DeadLetterQueue } from './dead-letter-queue.js';
import { restartBackoff, untilStopped } from './until-stopped.js';
import { withDeadline } from '../delivery/deadline.js';
import type { StageMonitor } from './stage-monitor.js';
import { payloadSize } from './payload-size.js';
import type { LatencySamples } from '../metrics/latency-samples.js';
import type { Leadership } from '#transports';

interface InFlightRecord {
  readonly record: SluiceRecord;
  readonly tracked: TrackedPosition | null;
  readonly readAt: number;
}

export interface SourceRunnerOptions {
  readonly config: PipelineConfig;
  readonly source: Source;
  /** Where the source's batches go: a channel, or the next stage of a fused chain. */
  readonly outlet: StageOutlet;
  readonly checkpoints: CheckpointStore;
  readonly deadLetters: DeadLetterQueue;
  readonly monitor: StageMonitor;
  readonly logger: PluginLogger;
  /** End-to-end latency (read → acknowledged), ms. */
  readonly recordLatency: LatencySamples;
  /** Called with every end-to-end latency (ms), for the Prometheus histogram. */
  readonly onAcked?: (count: number, latencyMs: number) => void;
  /** How often acknowledged positions are committed, ms. */
  readonly commitIntervalMs?: number;
  /**
   * For a source that runs on one host at a time (over Kafka, one that is not `splittable`): it
   * reads only while this host leads (started by the pipeline), and stands by otherwise.
   */
  readonly lease?: Leadership;
}

/**
 * Reads a source, batches its records (count / bytes / time), publishes the batches, and commits
 * the contiguous acknowledged positions. Bounds the records in flight (backpressure), dead-letters
 * what the source could not parse, and restarts a crashed source from the committed checkpoint.
 */
export class SourceRunner {
  private readonly stopController = new AbortController();
  private tracker = new ContiguousTracker();
  /** Records read and not yet acknowledged or dead-lettered (with a position: not yet committed). */
  private readonly inFlight: InFlightLimit;
  private readonly batcher: Batcher<InFlightRecord>;
  private readonly publishes = new Set<Promise<void>>();
  private commitTimer: NodeJS.Timeout | null = null;
  private committing: Promise<void> = Promise.resolve();
  private supervision: Promise<void> | null = null;
  private commitInProgress = false;
  /** With a lease: the current turn of reading, aborted when the lead is lost. */
  private turn: AbortController | null = null;
  /** With a lease: waiting for the lead. */
  private leadWaiters: Array<() => void> = [];

  constructor(private readonly options: SourceRunnerOptions) {
    this.batcher = new Batcher(options.config.batch, (items) => this.publish(items));
    this.inFlight = new InFlightLimit(options.config.maxInFlight);
    options.lease?.onChange((leading) => {
      if (!leading) this.turn?.abort();
      for (const wake of this.leadWaiters.splice(0)) wake();
    });
  }

  /** Records read and not yet acknowledged or dead-lettered. */
  get recordsInFlight(): number {
    return this.inFlight.count;
  }

  /** Starts reading in the background; state changes are visible on the monitor. */
  start(): void {
    this.supervision ??= this.supervise();
  }

  /** Stops reading, publishes what was read, waits for the acknowledgements and commits. */
  async stop(): Promise<void> {
    this.stopController.abort();
    await this.supervision;
    this.options.monitor.transition('stopped');
  }

  /** The pipeline stopped before the source was started: nothing was read. */
  abandon(): void {
    this.stopController.abort();
    this.options.monitor.transition('stopped');
  }

  /** Resolves once the source finished (input ended) or stopped. */
  async finished(): Promise<void> {
    await this.supervision;
  }

  /** Reads the source: at once, or with a lease in turns, each while this host leads. */
  private async supervise(): Promise<void> {
    const { lease, monitor, logger } = this.options;
    const stop = this.stopController.signal;
    if (!lease) {
      await this.runTurn(stop);
      return;
    }
    while (!stop.aborted) {
      if (!lease.isLeader) {
        monitor.transition('standby');
        logger.info({ leadership: lease.details }, 'source stands by: another host leads and runs it');
        await this.leadOrStop(lease, stop);
        if (stop.aborted) break;
      }
      const turn = new AbortController();
      this.turn = turn;
      const onStop = () => turn.abort();
      stop.addEventListener('abort', onStop, { once: true });
      logger.info({ leadership: lease.details }, 'this host leads: the source runs here, from the shared checkpoint');
      try {
        if (await this.runTurn(turn.signal)) return;
      } finally {
        stop.removeEventListener('abort', onStop);
        this.turn = null;
      }
      // The lead moved: what was read here is acknowledged and committed; the next leader resumes after it.
      this.tracker = new ContiguousTracker();
    }
    monitor.transition('stopped');
  }

  /** Resolves once this host leads, or `stop` aborts. */
  private leadOrStop(lease: Leadership, stop: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (lease.isLeader || stop.aborted) {
          stop.removeEventListener('abort', check);
          resolve();
        } else this.leadWaiters.push(check);
      };
      stop.addEventListener('abort', check, { once: true });
      check();
    });
  }

  /**
   * Runs the source until its input ends (returns true) or `stopSignal` aborts (false), restarting it
   * from the committed checkpoint after a crash.
   */
  private async runTurn(stopSignal: AbortSignal): Promise<boolean> {
    const { monitor, source, logger, config } = this.options;
    let checkpoint = await this.options.checkpoints.load();
    for (let attempt = 1; !stopSignal.aborted; attempt++) {
      monitor.transition(attempt === 1 ? 'starting' : 'restarting');
      let started = false;
      try {
        await withDeadline(() => source.start?.({ checkpoint, signal: stopSignal }), config.source.timeouts.startMs, `starting ${config.source.path} (plugin "${config.source.plugin}")`, stopSignal);
        started = true;
        monitor.transition('running');
        const ended = await this.readLoop(stopSignal);
        monitor.transition(ended ? 'running' : 'stopping');
        await this.drain();
        await source.stop?.();
        if (ended) {
          monitor.transition('finished');
          logger.info({ checkpoint: this.options.checkpoints.checkpoint }, 'source input ended; everything read is committed');
        }
        return ended;
      } catch (error) {
        monitor.fail(error);
        if (stopSignal.aborted) {
          await this.drain();
          if (started) await source.stop?.().catch(() => undefined);
          return false;
        }
        const delay = backoffDelay(attempt, restartBackoff(config.restart));
        logger.error({ err: error instanceof Error ? error.message : String(error), attempt, retryInMs: delay }, 'source crashed; restarting from the committed checkpoint');
        monitor.transition('restarting');
        await this.drain();
        if (started) await source.stop?.().catch((stopError: unknown) => logger.warn({ err: String(stopError) }, 'source stop after crash failed'));
        // Whatever was not acknowledged is read again from the committed checkpoint.
        this.tracker = new ContiguousTracker();
        checkpoint = this.options.checkpoints.checkpoint;
        await sleep(delay, stopSignal);
      }
    }
    return false;
  }

  /** Returns true when the input ended, false when stopped. */
  private async readLoop(signal: AbortSignal): Promise<boolean> {
    const { source } = this.options;
    while (!signal.aborted) {
      let items: SourceRecord[] | null;
      try {
        items = await source.read(signal);
      } catch (error) {
        if (signal.aborted) return false;
        throw error;
      }
      if (items === null) return true;
      await this.admit(items.length, signal);
      for (const item of items) this.accept(item);
    }
    return false;
  }

  /**
   * Counts `records` just read as in flight, once there is room for them (backpressure: the source
   * is not read again before). Stopped meanwhile, they are counted all the same: a stop publishes
   * what was read.
   */
  private async admit(records: number, signal: AbortSignal): Promise<void> {
    if (this.inFlight.wouldWait(records)) {
      // The batch being filled may be what is holding the room: send it now; acknowledged records
      // hold it until their checkpoint is written: write it now.
      this.flush();
      if (this.tracker.covered > 0) this.commitSoon();
    }
    if (!(await this.inFlight.acquire(records, signal))) this.inFlight.forceAcquire(records);
  }

  private accept(item: SourceRecord): void {
    const { config, monitor } = this.options;
    const now = Date.now();
    monitor.counters.in++;
    const tracked = item.position ? this.tracker.track(item.position) : null;
    const record: SluiceRecord = {
      key: item.key ?? null,
      value: item.value,
      headers: item.headers ?? {},
      timestamp: item.timestamp ?? now,
      origin: {
        pipeline: config.name,
        source: config.source.plugin,
        ...(item.position ? { lane: item.position.lane, offset: item.position.offset } : {}),
      },
    };
    if (item.failure !== undefined) {
      this.deadLetterUnreadable(record, item.failure, tracked, now);
      return;
    }
    this.batcher.add({ record, tracked, readAt: now }, config.batch.maxBytes > 0 ? payloadSize(item.value) : 0);
  }

  /** Hands the open batch on now. */
  private flush(): void {
    this.batcher.flush();
  }

  private publish(items: InFlightRecord[]): void {
    const records = items.map((item) => item.record);
    const { outlet, monitor, logger, config } = this.options;
    const started = performance.now();
    const publish = retry(
      () => outlet.publish(records),
      untilStopped(config.restart, this.stopController.signal, (error, attempt) => {
        monitor.counters.retried += records.length;
        monitor.fail(error);
        if (attempt >= config.retry.maxAttempts && monitor.state === 'running') {
          // Retrying for ever unseen would be a stall: show it (the host is no longer ready).
          monitor.transition('degraded');
          logger.error(
            { err: describeError(error), attempt, records: records.length },
            'a batch keeps being refused downstream; the stage is degraded and keeps retrying (nothing of it is committed)',
          );
        } else logger.warn({ err: describeError(error), attempt, records: records.length }, 'publishing a batch failed; retrying');
      }),
    ).then(
      () => {
        if (monitor.state === 'degraded') {
          monitor.transition('running');
          logger.info({ records: records.length }, 'a refused batch was accepted downstream; the stage runs again');
        }
        monitor.batchLatency.record(performance.now() - started);
        monitor.counters.out += records.length;
        this.handledBatch(items);
      },
      () => {
        // Stopped before the batch was accepted: nothing is committed for it, it is read again.
        this.inFlight.release(items.length);
      },
    );
    this.track(publish);
  }

  private deadLetterUnreadable(record: SluiceRecord, reason: string, tracked: TrackedPosition | null, readAt: number): void {
    const { deadLetters, config, monitor, logger } = this.options;
    const letter = { record, error: reason, stage: 'source', plugin: config.source.plugin, attempts: 1, retryable: false };
    const send = retry(
      () => deadLetters.send([letter], this.stopController.signal),
      untilStopped(config.restart, this.stopController.signal, (error) => logger.error({ err: describeError(error) }, 'dead-letter destination failed; retrying')),
    ).then(
      () => {
        monitor.counters.deadLettered++;
        this.handled(tracked, readAt);
      },
      () => this.inFlight.release(1),
    );
    this.track(send);
  }

  private track(operation: Promise<void>): void {
    this.publishes.add(operation);
    void operation.finally(() => this.publishes.delete(operation));
  }

  private handledBatch(items: readonly InFlightRecord[]): void {
    const now = Date.now();
    const { recordLatency, onAcked, monitor } = this.options;
    let untracked = 0;
    for (const item of items) {
      if (item.tracked) this.tracker.ack(item.tracked);
      else untracked++;
      const latency = now - item.readAt;
      recordLatency.record(latency);
      onAcked?.(1, latency);
    }
    monitor.counters.acked += items.length;
    // A record with a position stays in flight until a committed checkpoint covers it: until then a
    // crash would deliver it again, and the in-flight bound is the bound on that re-delivery.
    this.inFlight.release(untracked);
    this.commitWhenDue();
  }

  private handled(tracked: TrackedPosition | null, readAt: number): void {
    if (tracked) this.tracker.ack(tracked);
    else this.inFlight.release(1);
    const latency = Date.now() - readAt;
    this.options.recordLatency.record(latency);
    this.options.onAcked?.(1, latency);
    this.options.monitor.counters.acked++;
    this.commitWhenDue();
  }

  /**
   * Acknowledged records hold their in-flight capacity until a checkpoint covers them: once they
   * fill half of it, commit at once, so that the checkpoint is written while the other half still
   * flows (waiting until the source is blocked would stall the pipeline on every write).
   */
  private commitWhenDue(): void {
    if (this.commitDue()) this.commitSoon();
    else this.scheduleCommit();
  }

  private commitDue(): boolean {
    return this.tracker.covered * 2 >= this.options.config.maxInFlight;
  }

  /** Commits now unless a commit is under way (it is followed by another when more was acknowledged). */
  private commitSoon(): void {
    if (this.commitInProgress) return;
    if (this.commitTimer) {
      clearTimeout(this.commitTimer);
      this.commitTimer = null;
    }
    void this.commit();
  }

  private scheduleCommit(): void {
    this.commitTimer ??= setTimeout(() => {
      this.commitTimer = null;
      void this.commit();
    }, this.options.commitIntervalMs ?? 100);
  }

  /** Persists the positions that moved; serialised so checkpoints are written in order. */
  private commit(): Promise<void> {
    const run = this.committing.then(async () => {
      const moved = this.tracker.takeCommittable();
      if (!moved) return;
      this.commitInProgress = true;
      try {
        let checkpoint;
        try {
          checkpoint = await this.options.checkpoints.commit(moved.offsets);
        } catch (error) {
          this.tracker.restore(moved);
          throw error;
        }
        this.inFlight.release(moved.records);
        await this.options.source.commit?.(checkpoint);
      } finally {
        this.commitInProgress = false;
      }
      // Acknowledged while this commit was written, and capacity getting short: go on.
      if ((this.inFlight.waiting > 0 && this.tracker.covered > 0) || this.commitDue()) this.commitSoon();
    });
    this.committing = run.catch((error: unknown) => {
      this.options.monitor.fail(error);
      this.options.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'committing the checkpoint failed');
    });
    return this.committing;
  }

  /** Publishes the open batch, waits for every publish and dead-letter to settle, then commits. */
  private async drain(): Promise<void> {
    this.flush();
    while (this.publishes.size > 0) await Promise.allSettled([...this.publishes]);
    if (this.commitTimer) {
      clearTimeout(this.commitTimer);
      this.commitTimer = null;
    }
    await this.commit();
  }
}

