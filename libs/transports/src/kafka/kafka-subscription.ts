import { ChannelServerKafka } from './channel-server-kafka.js';
import { Batcher, describeError, EVERY_ERROR, InFlightLimit, retry, type BackoffPolicy, type SluiceRecord } from '@sluice/sdk';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { BatchHandler, SubscribeOptions } from '../channel-transport.js';
import { markChannelPosition } from '../channel-position.js';
import { OffsetTracker, type PendingOffset } from './offset-tracker.js';
import { decodeRecord } from './kafka-record-codec.js';
import { kafkaClientConfig, kafkaConsumerTimings, type KafkaTransportOptions } from './kafka-transport-options.js';

/** Waits between deliveries of a batch its stage refused: 100 ms doubling up to 10 s. */
const REDELIVERY_BACKOFF: BackoffPolicy = { initialBackoffMs: 100, maxBackoffMs: 10_000, multiplier: 2, jitter: 0.2 };

/**
 * How often a consumer held back by the in-flight bound offers a heartbeat. kafkajs sends one only
 * once its own heartbeat interval has passed since the last, so offering often costs nothing and
 * keeps the gap between two heartbeats near that interval, well inside the session timeout.
 */
const HEARTBEAT_OFFER_MS = 1000;

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
 * (`ServerKafka`, consuming per fetched batch, auto-commit off). Messages are gathered into batches
 * of `maxBatchRecords` for the stage's handler;
 * a batch's offsets count as handled only once the handler resolved (the stage acknowledged it),
 * and the group's offsets are committed contiguously per partition: a crash re-delivers, never
 * skips. A refused batch is retried with backoff; meanwhile fetching pauses once `maxInFlight`
 * records wait, so memory stays bounded.
 */
export class KafkaSubscription {
  private readonly server: ChannelServerKafka;
  private readonly offsets = new OffsetTracker();
  /** Records received and not yet acknowledged or given up. */
  private readonly inFlight: InFlightLimit;
  private readonly batcher: Batcher<Received>;
  /** Batches waiting for the one before them to be acknowledged. */
  private readonly batches: Received[][] = [];
  private delivering: Promise<void> | null = null;
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
    private readonly subscribeOptions: SubscribeOptions = {},
  ) {
    this.server = new ChannelServerKafka({
      client: kafkaClientConfig(options, `${options.clientId}.${group}`),
      consumer: { groupId: group, ...kafkaConsumerTimings(options), allowAutoTopicCreation: false, retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 10_000 } },
      subscribe: { fromBeginning: true },
      run: { autoCommit: false },
      postfixId: '',
    });
    this.server.addBatchHandler(channel, (payload) => this.receive(payload));
    this.inFlight = new InFlightLimit(options.maxInFlight);
    this.batcher = new Batcher({ maxRecords: options.maxBatchRecords, maxBytes: 0, maxWaitMs: options.maxBatchWaitMs }, (batch) => this.enqueue(batch));
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
    // A rebalance starts: commit what is handled now, while this member's generation still may,
    // so that a partition that moves is read by its next owner from as late as possible.
    consumer.on(consumer.events.REBALANCING, () => void this.commit());
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.crashed = null;
      this.subscribeOptions.onAssignment?.(event.payload.memberAssignment[this.channel] ?? []);
    });
  }

  get connected(): boolean {
    return this.listening && this.crashed === null;
  }

  get details(): Record<string, unknown> {
    return { channel: this.channel, group: this.group, inFlight: this.inFlight.count, ...(this.crashed ? { crashed: this.crashed } : {}) };
  }

  /**
   * Takes one fetched batch (one partition's messages, in offset order), in slices that fit the
   * in-flight bound: each slice waits for room, then is decoded and tracked. A batch whose
   * partition was taken away meanwhile (a rebalance) is left there: what was not tracked is not
   * committed, and the partition's new owner reads it. Messages this member already received
   * (fetched again after a rebalance that left it the partition) are skipped.
   */
  private async receive(payload: EachBatchPayload): Promise<void> {
    const { topic, partition, messages } = payload.batch;
    const lane = `${topic}/${partition}`;
    const slice = Math.max(1, Math.min(this.options.maxInFlight, this.options.maxBatchRecords));
    for (let from = 0; from < messages.length; from += slice) {
      if (from > 0 && (!payload.isRunning() || payload.isStale())) return;
      const to = Math.min(messages.length, from + slice);
      await this.admit(to - from, payload.heartbeat);
      for (let i = from; i < to; i++) {
        const message = messages[i]!;
        if (this.offsets.alreadyReceived(topic, partition, message.offset)) {
          this.inFlight.release(1);
          continue;
        }
        const record = decodeRecord(message, { pipeline: '', source: 'kafka', lane, offset: message.offset });
        markChannelPosition(record, { partition, offset: message.offset });
        this.batcher.add({ record, offset: this.offsets.track(topic, partition, message.offset) });
      }
    }
  }

  /**
   * Counts `count` messages received as in flight once there is room for them. Backpressure: holding this
   * handler holds kafkajs's fetch loop for this consumer; the heartbeat goes on meanwhile, or the
   * group would take a long pause for a dead member and move its partitions. Stopped meanwhile,
   * the messages are counted all the same and handed on with the rest: dropping them would let the
   * commit of a later offset skip them.
   */
  private async admit(count: number, heartbeat: () => Promise<void>): Promise<void> {
    let beating: NodeJS.Timeout | null = null;
    if (this.inFlight.wouldWait(count)) {
      // What waits in the batcher may be what holds the room: hand it on now.
      this.batcher.flush();
      beating = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_OFFER_MS);
    }
    try {
      if (!(await this.inFlight.acquire(count, this.stopped.signal))) this.inFlight.forceAcquire(count);
    } finally {
      if (beating) clearInterval(beating);
    }
  }

  /** Queues a batch from the batcher, and starts handing the queue to the stage unless it is under way. */
  private enqueue(batch: Received[]): void {
    this.batches.push(batch);
    this.delivering ??= this.deliverQueued();
  }

  /**
   * Batches go one after the other, each only once the previous one was acknowledged: a refused
   * batch is retried before anything after it, so records of one key (one partition) keep their
   * order even across failures. While the stage has a batch the batcher holds, so that what arrives
   * meanwhile goes on as the next full batch.
   */
  private async deliverQueued(): Promise<void> {
    try {
      for (let batch = this.batches.shift(); batch; batch = this.batches.shift()) {
        this.batcher.hold();
        await this.deliver(batch);
        this.batcher.resume();
      }
    } finally {
      // Cleared in the same turn as the last look at the queue: a batch queued after it starts anew.
      this.delivering = null;
    }
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
      this.inFlight.release(items.length);
      return;
    }
    for (const item of items) this.offsets.handled(item.offset);
    this.inFlight.release(items.length);
    this.scheduleCommit();
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
    this.batcher.flush();
    await this.inFlight.drained();
    if (this.commitTimer) {
      clearTimeout(this.commitTimer);
      this.commitTimer = null;
    }
    await this.commit();
    await this.server.close();
    this.listening = false;
  }
}
