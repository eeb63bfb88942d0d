import { compressionType, secretScrubber } from '@sluice/kafka';
import { describeError, RecordError, type HealthReport, type PluginContext, type Sink, type SinkWriteResult, type SluiceRecord } from '@sluice/sdk';
import { Kafka, Partitioners, type Admin, type AdminConfig, type KafkaConfig, type Producer, type ProducerConfig } from 'kafkajs';
import { kafkaClientConfig, RETRY_POLICY } from '../connection/kafka-client.js';
import type { KafkaSinkConfig } from './kafka-sink.config.js';
import { encodeBatch, splitRequests, type EncodeOptions } from './message-encoder.js';
import { sendError } from './producer-error.js';
import { prepareTopic } from './topic-setup.js';

/** The part of a kafkajs client the sink uses (a seam for tests). */
export interface KafkaClient {
  producer(config?: ProducerConfig): Producer;
  admin(config?: AdminConfig): Admin;
}

export type KafkaClientFactory = (config: KafkaConfig) => KafkaClient;

const createKafkaClient: KafkaClientFactory = (config) => new Kafka(config);

/** How long `health()` waits for the topic metadata before reporting the cluster unreachable. */
const HEALTH_TIMEOUT_MS = 5000;

/**
 * The `kafka` sink: writes each batch to one topic with a kafkajs producer.
 *
 * A batch is one `producer.send` (split into consecutive requests only when it exceeds
 * `maxRequestBytes`), and `write` resolves once the broker acknowledged it with the configured
 * `acks` — with `all`, once every in-sync replica stored it. Keys come from the record keys, so
 * records with the same key land in the same partition (kafkajs's Java-compatible murmur2
 * partitioner) and keep their order there.
 *
 * Failures: a record that cannot be encoded fails on its own (`{ failed }`); a send error caused by
 * the data (too large, invalid, bad timestamp) is thrown as non-retryable so the runtime isolates
 * the culprit; every other send error is thrown as retryable. Delivery is at-least-once: a batch
 * written again after a failure (or a split batch whose later request failed) duplicates what had
 * been stored before.
 */
export class KafkaSink implements Sink {
  private readonly encodeOptions: EncodeOptions;
  private readonly scrub: (text: string) => string;
  private readonly acks: number;
  private producer: Producer | undefined;
  private admin: Admin | undefined;
  private removeListeners: Array<() => void> = [];
  private connected = false;
  private partitions: number | undefined;
  private lastError: string | undefined;
  private readonly stats = { batches: 0, records: 0, requests: 0, failedRecords: 0, failedWrites: 0 };

  constructor(
    private readonly config: KafkaSinkConfig,
    private readonly context: PluginContext,
    private readonly createClient: KafkaClientFactory = createKafkaClient,
  ) {
    this.encodeOptions = { format: config.format, headers: config.headers, timestamp: config.timestamp, tombstoneNulls: config.tombstoneNulls };
    this.scrub = secretScrubber(config);
    this.acks = config.acks === 'all' ? -1 : config.acks;
  }

  async start(): Promise<void> {
    if (this.producer) await this.stop();
    this.lastError = undefined;
    const client = this.createClient(kafkaClientConfig(this.config, this.context));
    const retry = { ...RETRY_POLICY, retries: this.config.retries };
    const admin = client.admin({ retry });
    const producer = client.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      idempotent: this.config.idempotent,
      retry,
    });
    this.removeListeners = [
      producer.on(producer.events.CONNECT, () => {
        this.connected = true;
      }),
      producer.on(producer.events.DISCONNECT, () => {
        this.connected = false;
      }),
    ];
    try {
      await admin.connect();
      const topic = await prepareTopic(admin, this.config.topic, this.config.createTopic, this.context.logger);
      this.partitions = topic.partitions;
      await producer.connect();
    } catch (error) {
      for (const remove of this.removeListeners) remove();
      this.removeListeners = [];
      await producer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
      this.lastError = this.scrub(describeError(error));
      if (error instanceof RecordError) throw error;
      throw new RecordError(`kafka sink: cannot connect to ${this.config.brokers.join(', ')}: ${this.lastError}`, { retryable: true, cause: error });
    }
    this.admin = admin;
    this.producer = producer;
    this.context.logger.info({ topic: this.config.topic, partitions: this.partitions, acks: this.config.acks, idempotent: this.config.idempotent }, 'kafka: producer ready');
  }

  async write(batch: readonly SluiceRecord[]): Promise<void | SinkWriteResult> {
    const producer = this.producer;
    if (!producer) throw new RecordError(`kafka sink for topic "${this.config.topic}" is not started`, { retryable: true });
    const { messages, failed } = encodeBatch(batch, this.encodeOptions, this.config.maxRequestBytes);
    const compression = compressionType(this.config.compression);
    for (const request of splitRequests(messages, this.config.maxRequestBytes)) {
      try {
        await producer.send({ topic: this.config.topic, messages: request.map((m) => m.message), acks: this.acks, timeout: this.config.timeoutMs, compression });
      } catch (error) {
        this.stats.failedWrites++;
        const reported = sendError(error, this.config.topic, messages.length, this.scrub);
        this.lastError = reported.message;
        throw reported;
      }
      this.stats.requests++;
    }
    this.stats.batches++;
    this.stats.records += messages.length;
    this.stats.failedRecords += failed.length;
    if (messages.length > 0) this.lastError = undefined;
    return failed.length > 0 ? { failed } : undefined;
  }

  async stop(): Promise<void> {
    const producer = this.producer;
    const admin = this.admin;
    this.producer = undefined;
    this.admin = undefined;
    try {
      await producer?.disconnect();
    } catch (error) {
      this.context.logger.warn({ topic: this.config.topic, err: this.scrub(describeError(error)) }, 'kafka: disconnecting the producer failed');
    }
    await admin?.disconnect().catch(() => undefined);
    for (const remove of this.removeListeners) remove();
    this.removeListeners = [];
    this.connected = false;
  }

  async health(): Promise<HealthReport> {
    const details: Record<string, unknown> = { topic: this.config.topic, acks: this.config.acks, idempotent: this.config.idempotent };
    const admin = this.admin;
    if (!this.producer || !admin) return { status: 'down', details: { ...details, reason: this.lastError ?? 'not started' } };
    Object.assign(details, { connected: this.connected, ...this.stats, ...(this.lastError ? { lastError: this.lastError } : {}) });
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS);
      });
      const metadata = await Promise.race([admin.fetchTopicMetadata({ topics: [this.config.topic] }), timeout]);
      const partitions = metadata.topics.find((t) => t.name === this.config.topic)?.partitions ?? [];
      const leaderless = partitions.filter((p) => p.leader < 0).length;
      this.partitions = partitions.length;
      Object.assign(details, { partitions: partitions.length, ...(leaderless > 0 ? { partitionsWithoutLeader: leaderless } : {}) });
      return { status: leaderless > 0 || this.lastError ? 'degraded' : 'up', details };
    } catch (error) {
      return { status: 'down', details: { ...details, reason: `cannot describe topic "${this.config.topic}": ${this.scrub(describeError(error))}` } };
    } finally {
      clearTimeout(timer);
    }
  }
}
