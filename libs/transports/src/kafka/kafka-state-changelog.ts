import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import type { Admin, Consumer, Producer } from 'kafkajs';
import { EVERY_ERROR, retry, sleep, type BackoffPolicy } from '@sluice/sdk';
import type { StateChangelog } from '../state-changelog.js';
import type { SubscriptionLogger } from './kafka-subscription.js';
import { kafkaClientConfig, kafkaConsumerTimings, type KafkaTransportOptions } from './kafka-transport-options.js';

const { Kafka } = kafkajs;

/** Waits while the reader catches up with the end of the changelog. */
const CATCH_UP_POLL_MS = 20;
/** Waits between attempts to reach the broker for the changelog's end. */
const RETRY_BACKOFF: BackoffPolicy = { initialBackoffMs: 200, maxBackoffMs: 5_000, multiplier: 2, jitter: 0.2 };

/**
 * A changelog as a compacted, one-partition Kafka topic: a value is a message under its key, and
 * compaction keeps the last one per key. Every host reads the whole topic from the beginning with
 * a consumer of its own (a group of one, never committing) and keeps the last value per key in
 * memory; `read` first waits until that reader has caught up with the topic's end as of the call,
 * so it sees every value written before (by this host or a previous owner of the key).
 */
export class KafkaStateChangelog implements StateChangelog {
  private readonly latest = new Map<string, string>();
  /** The offset after the last message read. */
  private position = 0n;
  private consumer: Consumer | null = null;
  private admin: Admin | null = null;

  constructor(
    readonly name: string,
    private readonly producer: () => Producer,
    private readonly options: KafkaTransportOptions,
    private readonly logger: SubscriptionLogger,
  ) {}

  async start(): Promise<void> {
    const kafka = new Kafka(kafkaClientConfig(this.options, `${this.options.clientId}.changelog`));
    this.admin = kafka.admin();
    await this.admin.connect();
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: this.name,
          numPartitions: 1,
          replicationFactor: this.options.topics.replicationFactor,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            // Compact soon: a value is rewritten after every batch.
            { name: 'segment.ms', value: '600000' },
            { name: 'min.cleanable.dirty.ratio', value: '0.1' },
          ],
        },
      ],
    });
    const consumer = kafka.consumer({ groupId: `${this.name}.reader.${randomUUID()}`, ...kafkaConsumerTimings(this.options), allowAutoTopicCreation: false });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (event) => this.logger.error({ changelog: this.name, err: String(event.payload.error?.message ?? 'crashed') }, 'changelog reader crashed'));
    await consumer.connect();
    await consumer.subscribe({ topics: [this.name], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          if (message.key === null) continue;
          const key = message.key.toString('utf8');
          if (message.value === null) this.latest.delete(key);
          else this.latest.set(key, message.value.toString('utf8'));
        }
        if (batch.messages.length > 0) this.position = BigInt(batch.lastOffset()) + 1n;
      },
    });
  }

  async read(key: string, signal?: AbortSignal): Promise<string | undefined> {
    const end = await this.end(signal);
    while (this.position < end) {
      signal?.throwIfAborted();
      await sleep(CATCH_UP_POLL_MS, signal);
    }
    return this.latest.get(key);
  }

  async write(key: string, value: string): Promise<void> {
    await this.producer().send({ topic: this.name, acks: -1, messages: [{ key, value }] });
  }

  /** The topic's end offset now, retried with backoff while the broker cannot say (until `signal` aborts). */
  private end(signal: AbortSignal | undefined): Promise<bigint> {
    return retry(
      async () => {
        if (!this.admin) throw new Error(`changelog ${this.name}: not started`);
        const [partition] = await this.admin.fetchTopicOffsets(this.name);
        return BigInt(partition?.high ?? '0');
      },
      {
        backoff: RETRY_BACKOFF,
        maxAttempts: Number.POSITIVE_INFINITY,
        retryable: EVERY_ERROR,
        ...(signal ? { signal } : {}),
        onRetry: (error, attempt, delay) =>
          this.logger.warn({ changelog: this.name, attempt, retryInMs: delay, err: error instanceof Error ? error.message : String(error) }, 'cannot read the changelog end; retrying'),
      },
    );
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = null;
    await this.admin?.disconnect();
    this.admin = null;
  }
}
