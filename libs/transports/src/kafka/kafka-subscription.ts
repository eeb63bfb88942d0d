import type { KafkaContext } from '@nestjs/microservices';
import { ChannelServerKafka } from './channel-server-kafka.js';
import { describeError, EVERY_ERROR, retry, type BackoffPolicy, type SluiceRecord } from '@sluice/sdk';
import type { Consumer } from 'kafkajs';
import type { BatchHandler } from '../channel-transport.js';
import { OffsetTracker, type PendingOffset } from './offset-tracker.js';
import { decodeRecord } from './kafka-record-codec.js';
import type { KafkaTransportOptions } from './kafka-transport-options.js';

/** Waits between deliveries of a batch its stage refused: 100 ms doubling up to 10 s. */
const REDELIVERY_BACKOFF: BackoffPolicy = { initialBackoffMs: 100, maxBackoffMs: 10_000, multiplier: 2, jitter: 0.2 };

interface Received {
  readonly record: SluiceRecord;
  readonly offset: PendingOffset;
}

export interface SubscriptionLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/**
 * One consumer-group member reading one channel topic, through Nest's Kafka server strategy
 * (`ServerKafka`, auto-commit off). Messages are gathered into batches for the stage's handler;
 * a batch's offsets count as handled only once the handler resolved (the stage acknowledged it),
 * and the group's offsets are committed contiguously per partition: a crash re-delivers, never
 * skips. A refused batch is retried with backoff; meanwhile fetching pauses once `maxInFlight`
 * records wait, so memory stays bounded.
 */
export class KafkaSubscription {
  private readonly server: ChannelServerKafka;
  private readonly offsets = new OffsetTracker();
  private queue: Received[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private draining: Promise<void> | null = null;
  private capacityWaiters: Array<() => void> = [];
  private commitTimer: NodeJS.Timeout | null = null;
  private committing: Promise<void> = Promise.resolve();
  private consumer: Consumer | null = null;
  /** Aborted on stop: a batch the stage keeps refusing is left to the group. */
  private readonly stopped = new AbortController();
  private crashed: string | null = null;
  private listening = false;

  constructor(
    readonly channel: string,
    readonly group: string,
    private readonly handler: BatchHandler,
    private readonly options: KafkaTransportOptions,
    private readonly logger: SubscriptionLogger,
  ) {
    this.server = new ChannelServerKafka({
      client: {
        clientId: `${options.clientId}.${group}`,
        brokers: [...options.brokers],
        connectionTimeout: options.connectionTimeoutMs,
        ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
      },
      consumer: { groupId: group, sessionTimeout: options.sessionTimeoutMs, allowAutoTopicCreation: false, retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 10_000 } },
      subscribe: { fromBeginning: true },
      run: { autoCommit: false },
      parser: { keepBinary: true },
      postfixId: '',
    });
    this.server.addHandler(channel, async (_data: unknown, context: KafkaContext) => this.receive(context), true);
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      void this.server.listen((error?: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()));
    });
    this.listening = true;
    const [, consumer] = this.server.unwrap<[unknown, Consumer, unknown]>();
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (event) => {
      this.crashed = String(event.payload.error?.message ?? 'consumer crashed');
      this.logger.error({ channel: this.channel, group: this.group, err: this.crashed, restart: event.payload.restart }, 'kafka consumer crashed');
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.crashed = null;
    });
  }

  get connected(): boolean {
    return this.listening && this.crashed === null;
  }

  get details(): Record<string, unknown> {
    return { channel: this.channel, group: this.group, inFlight: this.inFlight, ...(this.crashed ? { crashed: this.crashed } : {}) };
  }

  private async receive(context: KafkaContext): Promise<void> {
    const message = context.getMessage();
    const topic = context.getTopic();
    const partition = context.getPartition();
    const record = decodeRecord(message, { pipeline: '', source: 'kafka', lane: `${topic}/${partition}`, offset: message.offset });
    this.inFlight++;
    this.queue.push({ record, offset: this.offsets.track(topic, partition, message.offset) });
    if (this.queue.length >= this.options.maxBatchRecords) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.maxBatchWaitMs);
    // Backpressure: holding this handler holds kafkajs's fetch loop for this consumer.
    while (this.inFlight >= this.options.maxInFlight && !this.stopped.signal.aborted) {
      this.flush();
      await Promise.race([new Promise<void>((resolve) => this.capacityWaiters.push(resolve)), new Promise((r) => setTimeout(r, 3000))]);
      await context.getHeartbeat()().catch(() => undefined);
    }
  }

  /**
   * Starts handing the queue to the stage. Batches go one after the other, each only once the
   * previous one was acknowledged: a refused batch is retried before anything after it, so records
   * of one key (one partition) keep their order even across failures.
   */
  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.draining ??= (async () => {
      while (this.queue.length > 0) await this.deliver(this.queue.splice(0, this.options.maxBatchRecords));
    })().finally(() => {
      this.draining = null;
    });
  }

  /** Hands a batch to the stage until it is acknowledged (or the subscription stops). */
  private async deliver(items: Received[]): Promise<void> {
    const records = items.map((item) => item.record);
    try {
      await retry(() => this.handler(records), {
        backoff: REDELIVERY_BACKOFF,
        maxAttempts: Number.POSITIVE_INFINITY,
        retryable: EVERY_ERROR,
        signal: this.stopped.signal,
        onRetry: (error, attempt, delay) =>
          this.logger.warn({ channel: this.channel, group: this.group, records: records.length, attempt, retryInMs: delay, err: describeError(error) }, 'stage refused a batch; retrying'),
      });
    } catch {
      // Stopped before the stage took it. Not acknowledged: not committed; the group re-delivers it
      // to whoever consumes next.
      this.release(items.length);
      return;
    }
    for (const item of items) this.offsets.handled(item.offset);
    this.release(items.length);
    this.scheduleCommit();
  }

  private release(count: number): void {
    this.inFlight -= count;
    if (this.inFlight < this.options.maxInFlight) {
      const waiters = this.capacityWaiters;
      this.capacityWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  private scheduleCommit(): void {
    this.commitTimer ??= setTimeout(() => {
      this.commitTimer = null;
      void this.commit();
    }, this.options.commitIntervalMs);
  }

  private commit(): Promise<void> {
    const run = this.committing.then(async () => {
      const moved = this.offsets.takeCommittable();
      if (moved.length === 0 || !this.consumer) return;
      try {
        await this.consumer.commitOffsets(moved);
      } catch (error) {
        // After a rebalance the partition may belong to another member: it re-reads from the last
        // committed offset (duplicates, never loss).
        this.logger.warn({ channel: this.channel, group: this.group, err: error instanceof Error ? error.message : String(error) }, 'offset commit failed');
      }
    });
    this.committing = run.catch(() => undefined);
    return this.committing;
  }

  /**
   * Hands what was received to the stage once more (a batch the stage refuses now stays
   * uncommitted and is re-delivered to the group later), commits, and leaves the group.
   */
  async stop(): Promise<void> {
    this.stopped.abort();
    this.release(0);
    while (this.queue.length > 0 || this.draining) {
      this.flush();
      await this.draining;
    }
    if (this.commitTimer) {
      clearTimeout(this.commitTimer);
      this.commitTimer = null;
    }
    await this.commit();
    await this.server.close();
    this.listening = false;
  }
}
