import { secretScrubber } from '@sluice/kafka';
import { describeError, RecordError, type Checkpoint, type HealthReport, type PluginContext, type Source, type SourceRecord, type SourceStartContext } from '@sluice/sdk';
import { Kafka, type Admin, type AdminConfig, type Consumer, type ConsumerConfig, type EachBatchPayload, type KafkaConfig } from 'kafkajs';
import { kafkaClientConfig, RETRY_POLICY } from '../connection/kafka-client.js';
import type { KafkaSourceConfig } from './kafka-source.config.js';
import { MessageBuffer } from './message-buffer.js';
import { decodeMessage, type DecodeOptions } from './message-decoder.js';
import { laneOf, PartitionProgress, type CommitPlan } from './partition-progress.js';
import { parseTopicSelection, resolveTopics, type TopicSelection } from './topic-selection.js';

/** The part of a kafkajs client the source uses (a seam for tests). */
export interface KafkaClient {
  consumer(config: ConsumerConfig): Consumer;
  admin(config?: AdminConfig): Admin;
}

export type KafkaClientFactory = (config: KafkaConfig) => KafkaClient;

const createKafkaClient: KafkaClientFactory = (config) => new Kafka(config);

/** A record waiting in the buffer, with its partition and offset for the commit bookkeeping. */
interface BufferedRecord {
  readonly record: SourceRecord;
  readonly lane: string;
  readonly offset: bigint;
}

type ConsumerState = 'stopped' | 'starting' | 'joining' | 'consuming' | 'rebalancing' | 'restarting' | 'failed';

/**
 * The `kafka` source: a member of a Kafka consumer group reading one or more topics.
 *
 * Flow: kafkajs's fetch loop (`consumer.run({ eachBatch })`) decodes messages into a bounded
 * buffer; `read` hands out what is buffered. When the buffer is full, the eachBatch handler waits
 * for room — which holds kafkajs's fetch loop, so nothing more is fetched — and meanwhile sends
 * heartbeats so the group does not evict the member. Per-partition order is kept: kafkajs hands
 * over one partition's batches in offset order and the buffer is FIFO.
 *
 * Delivery: auto-commit is off. Each record's position is `{ lane: "<topic>/<partition>", offset }`;
 * when the runtime reports the offsets handled contiguously, `commit` commits `offset + 1` per
 * partition to the group (see {@link PartitionProgress} for the guards). The runtime's checkpoint
 * passed to `start` is ignored on purpose: the consumer group is the one place every member, every
 * restart and every host sees, and other members move it too, so a checkpoint file local to one host
 * is stale the moment partitions move. The group's offset lags the runtime's checkpoint by at most
 * the commits in flight when the process stops, so a restart may read a few records again
 * (at-least-once) but never skips one. The same holds after a rebalance: records handed out but not
 * committed yet are read again by the member that gets their partition (a member that keeps a
 * partition resumes it where it was: see `joined`).
 */
export class KafkaSource implements Source {
  private readonly selection: TopicSelection;
  private readonly decodeOptions: DecodeOptions;
  private readonly heartbeatIntervalMs: number;
  private readonly scrub: (text: string) => string;
  private readonly progress = new PartitionProgress();
  private buffer: MessageBuffer<BufferedRecord>;
  private consumer: Consumer | undefined;
  private removeListeners: Array<() => void> = [];
  private state: ConsumerState = 'stopped';
  private connected = false;
  private closing = false;
  private fatal: Error | undefined;
  private lastError: string | undefined;
  private memberId: string | undefined;
  private topics: string[] = [];
  private readonly stats = { received: 0, failures: 0, commits: 0, commitFailures: 0, groupJoins: 0, droppedOnRebalance: 0 };

  constructor(
    private readonly config: KafkaSourceConfig,
    private readonly context: PluginContext,
    private readonly createClient: KafkaClientFactory = createKafkaClient,
  ) {
    this.selection = parseTopicSelection(config.topics);
    this.decodeOptions = { format: config.format, keyFormat: config.keyFormat };
    this.heartbeatIntervalMs = Math.max(100, Math.min(3000, Math.floor(config.sessionTimeoutMs / 3)));
    this.scrub = secretScrubber(config);
    this.buffer = new MessageBuffer(config.maxBufferedMessages);
  }

  async start({ checkpoint, signal }: SourceStartContext): Promise<void> {
    if (this.consumer) await this.stop();
    this.closing = false;
    this.fatal = undefined;
    this.lastError = undefined;
    this.memberId = undefined;
    this.buffer = new MessageBuffer(this.config.maxBufferedMessages);
    this.progress.clear();
    this.state = 'starting';
    const lanes = Object.keys(checkpoint).length;
    if (lanes > 0) {
      this.context.logger.debug({ groupId: this.config.groupId, lanes }, 'kafka: positions come from the consumer group; the runtime checkpoint is not used');
    }
    const client = this.createClient(kafkaClientConfig(this.config, this.context));
    try {
      this.topics = await this.subscriptionTopics(client, signal);
    } catch (error) {
      this.state = 'stopped';
      throw error;
    }
    const consumer = client.consumer({
      groupId: this.config.groupId,
      sessionTimeout: this.config.sessionTimeoutMs,
      rebalanceTimeout: Math.max(60_000, this.config.sessionTimeoutMs),
      heartbeatInterval: this.heartbeatIntervalMs,
      maxWaitTimeInMs: this.config.fetchMaxWaitMs,
      allowAutoTopicCreation: false,
      retry: { ...RETRY_POLICY, retries: this.config.retries },
    });
    this.consumer = consumer;
    this.listen(consumer);
    const abort = () => void consumer.disconnect().catch(() => undefined);
    signal.addEventListener('abort', abort, { once: true });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: this.topics, fromBeginning: this.config.fromBeginning });
      if (this.state === 'starting') this.state = 'joining';
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: (payload) => this.feed(payload),
      });
    } catch (error) {
      await this.stop();
      throw this.failure('cannot start consuming', error);
    } finally {
      signal.removeEventListener('abort', abort);
    }
    const fatal = this.fatal;
    if (fatal) {
      // kafkajs reports a failed group join as a crash, not as an error of run().
      await this.stop();
      throw fatal;
    }
    this.context.logger.info({ groupId: this.config.groupId, topics: this.topics }, 'kafka: consumer started');
  }

  async read(signal: AbortSignal): Promise<SourceRecord[] | null> {
    for (;;) {
      if (this.fatal) throw this.fatal;
      if (!this.consumer) throw new Error('kafka source: read() before start() (or after stop())');
      const taken = this.buffer.takeAll();
      if (taken.length > 0) {
        for (const item of taken) this.progress.handedOut(item.lane, item.offset);
        return taken.map((item) => item.record);
      }
      if (signal.aborted || this.closing) return [];
      await this.buffer.waitForItems(signal);
    }
  }

  async commit(checkpoint: Checkpoint): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    const plan = this.progress.plan(checkpoint);
    if (plan.commits.length === 0) return;
    const offsets = plan.commits.map((c) => ({ topic: c.topic, partition: c.partition, offset: c.offset.toString() }));
    try {
      await consumer.commitOffsets(offsets);
    } catch (error) {
      this.commitFailed(plan, error);
      return;
    }
    this.progress.committed(plan);
    this.stats.commits++;
    this.context.logger.debug({ groupId: this.config.groupId, offsets: Object.fromEntries(plan.commits.map((c) => [c.lane, c.offset.toString()])) }, 'kafka: committed offsets');
  }

  async stop(): Promise<void> {
    this.closing = true;
    this.buffer.close();
    const consumer = this.consumer;
    this.consumer = undefined;
    try {
      await consumer?.disconnect();
    } catch (error) {
      this.context.logger.warn({ groupId: this.config.groupId, err: this.scrub(describeError(error)) }, 'kafka: disconnecting the consumer failed');
    } finally {
      for (const remove of this.removeListeners) remove();
      this.removeListeners = [];
      this.progress.clear();
      this.connected = false;
      this.state = 'stopped';
    }
  }

  health(): HealthReport {
    const details: Record<string, unknown> = { groupId: this.config.groupId, topics: this.topics, state: this.state };
    if (!this.consumer) return { status: 'down', details: { ...details, reason: this.fatal ? this.scrub(this.fatal.message) : 'not started' } };
    const lag = this.progress.lag();
    Object.assign(details, {
      connected: this.connected,
      ...(this.memberId ? { memberId: this.memberId } : {}),
      partitions: this.progress.assigned,
      buffered: this.buffer.size,
      peakBuffered: this.buffer.peak,
      maxBufferedMessages: this.buffer.capacity,
      lag: lag.total,
      lagByPartition: lag.partitions,
      ...this.stats,
      ...(this.lastError ? { lastError: this.lastError } : {}),
    });
    if (this.state === 'failed') return { status: 'down', details };
    return { status: this.state === 'consuming' && this.connected ? 'up' : 'degraded', details };
  }

  /**
   * kafkajs's eachBatch handler: moves a partition's messages into the buffer, in offset order,
   * waiting for room when it is full. It stops early (leaving the rest unresolved, to be fetched
   * again) when the source stops, the consumer stops, or the assignment changed.
   */
  private async feed({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const generation = this.progress.generation;
    const lane = laneOf(batch.topic, batch.partition);
    const current = () => !this.closing && isRunning() && !isStale() && this.progress.generation === generation;
    this.progress.observeHighWatermark(lane, batch.highWatermark);
    for (const message of batch.messages) {
      while (this.buffer.isFull) {
        if (!current()) return;
        // No room for a while: tell the coordinator the member is alive (this throws when the
        // group is rebalancing, which makes kafkajs rejoin).
        if (!(await this.buffer.waitForRoom(this.heartbeatIntervalMs))) await heartbeat();
      }
      if (!current()) return;
      const offset = BigInt(message.offset);
      if (!this.progress.received(lane, offset)) return;
      const record = decodeMessage(batch.topic, batch.partition, message, this.decodeOptions);
      this.stats.received++;
      if (record.failure !== undefined) this.stats.failures++;
      this.buffer.push({ record, lane, offset });
      resolveOffset(message.offset);
    }
  }

  private listen(consumer: Consumer): void {
    const { CONNECT, DISCONNECT, GROUP_JOIN, REBALANCING, CRASH } = consumer.events;
    this.removeListeners = [
      consumer.on(CONNECT, () => {
        this.connected = true;
      }),
      consumer.on(DISCONNECT, () => {
        this.connected = false;
      }),
      consumer.on(REBALANCING, () => {
        this.state = 'rebalancing';
      }),
      consumer.on(GROUP_JOIN, ({ payload }) => this.joined(payload.memberId, payload.memberAssignment)),
      consumer.on(CRASH, ({ payload }) => this.crashed(payload.error, payload.restart)),
    ];
  }

  /**
   * A (new) assignment. Records still in the buffer are dropped (not handed out yet, so nothing
   * depends on them): a partition that moved is read by its new owner from the group's committed
   * offset, and one that stayed is fetched again — from right after the last record handed out when
   * this member already read it (kafkajs would restart from the committed offset and repeat what the
   * pipeline already has), from the committed offset otherwise.
   */
  private joined(memberId: string, assignment: Record<string, number[]>): void {
    const dropped = this.buffer.clear();
    this.stats.droppedOnRebalance += dropped;
    this.stats.groupJoins++;
    const resume = this.progress.assign(assignment, memberId);
    for (const { lane, topic, partition, offset } of resume) {
      try {
        this.consumer?.seek({ topic, partition, offset: offset.toString() });
      } catch (error) {
        // Without the seek the partition is read again from its committed offset: duplicates, no loss.
        this.context.logger.warn({ groupId: this.config.groupId, partition: lane, err: this.scrub(describeError(error)) }, 'kafka: cannot resume a kept partition after the rebalance');
      }
    }
    this.memberId = memberId;
    this.state = 'consuming';
    this.context.logger.info(
      { groupId: this.config.groupId, memberId, partitions: this.progress.assigned, resumed: Object.fromEntries(resume.map((r) => [r.lane, r.offset.toString()])), droppedBuffered: dropped },
      'kafka: joined the consumer group',
    );
  }

  private crashed(error: Error, restart: boolean): void {
    this.buffer.clear();
    this.progress.clear();
    this.connected = false;
    this.lastError = this.scrub(describeError(error));
    if (restart) {
      this.state = 'restarting';
      this.context.logger.warn({ groupId: this.config.groupId, err: this.lastError }, 'kafka: the consumer crashed; kafkajs restarts it');
      return;
    }
    this.state = 'failed';
    this.fatal = this.failure('the consumer crashed', error);
    this.context.logger.error({ groupId: this.config.groupId, err: this.lastError }, 'kafka: the consumer crashed for good; the runtime restarts the source');
    this.buffer.interruptReaders();
  }

  private commitFailed(plan: CommitPlan, error: unknown): void {
    this.stats.commitFailures++;
    const reason = this.scrub(describeError(error));
    this.lastError = `commit: ${reason}`;
    const partitions = plan.commits.map((c) => c.lane);
    // Typical after a rebalance: the generation changed or the partitions went to another member.
    // Nothing is lost: whoever owns a partition now resumes from its last committed offset.
    this.context.logger.warn(
      { groupId: this.config.groupId, partitions, assignedNow: partitions.filter((lane) => this.progress.isAssigned(lane)), err: reason },
      'kafka: committing offsets failed (usually a rebalance moved the partitions); their records may be read again',
    );
  }

  /** The topics to subscribe to: the named ones (which must exist) and those the patterns match. */
  private async subscriptionTopics(client: KafkaClient, signal: AbortSignal): Promise<string[]> {
    const admin = client.admin({ retry: { ...RETRY_POLICY, retries: this.config.retries } });
    const abort = () => void admin.disconnect().catch(() => undefined);
    signal.addEventListener('abort', abort, { once: true });
    let existing: string[];
    try {
      await admin.connect();
      existing = await admin.listTopics();
    } catch (error) {
      throw this.failure('cannot list the topics', error);
    } finally {
      signal.removeEventListener('abort', abort);
      await admin.disconnect().catch(() => undefined);
    }
    const resolved = resolveTopics(this.selection, existing);
    if (resolved.missing.length > 0) {
      throw new RecordError(`kafka source: topic${resolved.missing.length > 1 ? 's' : ''} ${resolved.missing.map((t) => `"${t}"`).join(', ')} do${resolved.missing.length > 1 ? '' : 'es'} not exist`, {
        retryable: true,
      });
    }
    if (resolved.topics.length === 0) {
      throw new RecordError(`kafka source: no topic matches ${resolved.unmatched.map(String).join(', ')}`, { retryable: true });
    }
    if (resolved.unmatched.length > 0) {
      this.context.logger.warn({ patterns: resolved.unmatched.map(String) }, 'kafka: some topic patterns match no topic');
    }
    return resolved.topics;
  }

  private failure(what: string, error: unknown): RecordError {
    return new RecordError(`kafka source (group "${this.config.groupId}"): ${what}: ${this.scrub(describeError(error))}`, { retryable: true, cause: error });
  }
}
