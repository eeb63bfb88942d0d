import { ClientKafka } from '@nestjs/microservices';
import { compressionType, registerCompressionCodecs } from '@sluice/kafka';
import type { SluiceRecord } from '@sluice/sdk';
import { Kafka, type Admin, type Producer } from 'kafkajs';
import type { BatchHandler, ChannelSpec, ChannelTransport, SubscribeOptions, TransportStatus } from '../channel-transport.js';
import type { StateChangelog } from '../state-changelog.js';
import { KafkaStateChangelog } from './kafka-state-changelog.js';
import { encodeRecord } from './kafka-record-codec.js';
import { KafkaSubscription, type SubscriptionLogger } from './kafka-subscription.js';
import { KafkaGroupLeadership } from './kafka-group-leadership.js';
import type { Leadership } from '../leadership.js';
import { kafkaClientConfig, type KafkaTransportOptions } from './kafka-transport-options.js';

/**
 * Channels as Kafka topics, through Nest's Kafka strategies: publishing goes through a `ClientKafka`
 * (producer-only), each stage consumes through its own `ServerKafka` consumer-group member
 * ({@link KafkaSubscription}). Hosts started with the same config join the same groups and share
 * the partitions; a host that leaves hands its partitions over.
 */
export class KafkaChannelTransport implements ChannelTransport {
  readonly kind = 'kafka';
  private readonly client: ClientKafka;
  private producer: Producer | null = null;
  private admin: Admin | null = null;
  private readonly subscriptions = new Map<string, KafkaSubscription>();
  private readonly created = new Set<string>();
  private producerConnected = false;

  constructor(
    private readonly options: KafkaTransportOptions,
    private readonly logger: SubscriptionLogger,
  ) {
    registerCompressionCodecs();
    this.client = new ClientKafka({
      client: {
        ...kafkaClientConfig(options, options.clientId),
        retry: { retries: 8, maxRetryTime: 10_000 },
      },
      // Not idempotent: kafkajs's idempotent producer never recovers from the broker's "out of order
      // sequence number" after a broker restart (seen in test/e2e/kafka-pipeline). One request in
      // flight per broker keeps retried batches in order; duplicates from retries are what
      // at-least-once allows (sinks upsert by key).
      producer: { allowAutoTopicCreation: false, idempotent: false, maxInFlightRequests: 1 },
      producerOnlyMode: true,
      postfixId: '',
    });
  }

  async connect(): Promise<void> {
    await this.client.connect();
    this.producer = this.client.producer;
    this.producer.on(this.producer.events.CONNECT, () => (this.producerConnected = true));
    this.producer.on(this.producer.events.DISCONNECT, () => (this.producerConnected = false));
    this.producerConnected = true;
    this.admin = this.client.unwrap<Kafka>().admin();
    await this.admin.connect();
  }

  /** Creates the channel's topic when missing, with the declared partitions, replication, retention. */
  async ensureChannel(spec: ChannelSpec): Promise<void> {
    if (this.created.has(spec.name)) return;
    if (!this.admin) throw new Error('kafka transport: not connected');
    const retentionMs = spec.retentionMs ?? this.options.topics.retentionMs;
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: spec.name,
          numPartitions: spec.partitions ?? this.options.topics.partitions,
          replicationFactor: this.options.topics.replicationFactor,
          ...(retentionMs === undefined ? {} : { configEntries: [{ name: 'retention.ms', value: String(retentionMs) }] }),
        },
      ],
    });
    this.created.add(spec.name);
  }

  async subscribe(channel: string, group: string, handler: BatchHandler, options: SubscribeOptions = {}): Promise<void> {
    const key = `${group}|${channel}`;
    if (this.subscriptions.has(key)) throw new Error(`kafka transport: group "${group}" already consumes "${channel}" in this host`);
    const subscription = new KafkaSubscription(channel, group, handler, this.options, this.logger, options);
    this.subscriptions.set(key, subscription);
    await subscription.start();
  }

  async unsubscribe(channel: string, group: string): Promise<void> {
    const key = `${group}|${channel}`;
    const subscription = this.subscriptions.get(key);
    if (!subscription) return;
    this.subscriptions.delete(key);
    await subscription.stop();
  }

  /** Resolves once the broker stored every record (acks from all in-sync replicas). */
  async publish(channel: string, records: readonly SluiceRecord[]): Promise<void> {
    if (!this.producer) throw new Error('kafka transport: not connected');
    await this.producer.send({ topic: channel, acks: -1, compression: compressionType(this.options.compression ?? 'none'), messages: records.map(encodeRecord) });
  }

  async close(): Promise<void> {
    for (const [key, subscription] of this.subscriptions) {
      this.subscriptions.delete(key);
      await subscription.stop();
    }
    await this.admin?.disconnect();
    await this.client.close();
    this.producerConnected = false;
  }

  /** Leadership through membership of the consumer group `group` (see KafkaGroupLeadership). */
  leadership(group: string): Leadership {
    return new KafkaGroupLeadership(group, this.options, this.logger);
  }

  /** A compacted topic `name`, written through this transport's producer (see KafkaStateChangelog). */
  changelog(name: string): StateChangelog {
    return new KafkaStateChangelog(
      name,
      () => {
        if (!this.producer) throw new Error('kafka transport: not connected');
        return this.producer;
      },
      this.options,
      this.logger,
    );
  }

  status(): TransportStatus {
    const consumers = [...this.subscriptions.values()];
    return {
      connected: this.producerConnected && consumers.every((s) => s.connected),
      details: { kind: this.kind, brokers: this.options.brokers.join(','), producer: this.producerConnected ? 'connected' : 'disconnected', consumers: consumers.map((s) => s.details) },
    };
  }
}
