import kafkajs from 'kafkajs';
import type { Admin, Consumer } from 'kafkajs';
import type { Leadership } from '../leadership.js';
import { kafkaClientConfig, kafkaConsumerTimings, type KafkaTransportOptions } from './kafka-transport-options.js';
import type { SubscriptionLogger } from './kafka-subscription.js';
import { stickyLeaderAssigner } from './sticky-leader-assigner.js';

const { Kafka } = kafkajs;

/**
 * Leadership through Kafka's own group membership, no protocol of ours: every host joins the
 * consumer group `group` on the one-partition topic of the same name, and the broker's group
 * coordinator assigns that partition to exactly one member, the leader. When the leader leaves
 * (stop) the group rebalances at once; when it dies, after the session timeout. A member stops
 * counting itself leader as soon as a rebalance starts, and starts again only when the new
 * assignment gives it the partition; a host joining does not move the lead (stickyLeaderAssigner). Like any lease, it has one limit: a leader cut off from the
 * broker learns it lost the partition only when its next heartbeat fails (within the session
 * timeout), so two hosts may overlap for that long; jobs are at-least-once.
 */
export class KafkaGroupLeadership implements Leadership {
  private leading = false;
  /** Held the partition in the last generation (claimed when rejoining, so the lead stays put). */
  private held = false;
  private joined = false;
  private readonly listeners: Array<(isLeader: boolean) => void> = [];
  private consumer: Consumer | null = null;
  private admin: Admin | null = null;

  constructor(
    private readonly group: string,
    private readonly options: KafkaTransportOptions,
    private readonly logger: SubscriptionLogger,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  get details(): Record<string, unknown> {
    return { kind: 'kafka-group', group: this.group, joined: this.joined, leader: this.leading };
  }

  onChange(listener: (isLeader: boolean) => void): void {
    this.listeners.push(listener);
  }

  async start(): Promise<void> {
    const kafka = new Kafka(kafkaClientConfig(this.options, `${this.options.clientId}.${this.group}`));
    this.admin = kafka.admin();
    await this.admin.connect();
    // One partition: one owner. Created by the first host; the others find it.
    await this.admin.createTopics({ waitForLeaders: true, topics: [{ topic: this.group, numPartitions: 1, replicationFactor: this.options.topics.replicationFactor }] });
    await this.admin.disconnect();
    this.admin = null;

    const consumer = kafka.consumer({
      groupId: this.group,
      ...kafkaConsumerTimings(this.options),
      allowAutoTopicCreation: false,
      partitionAssigners: [stickyLeaderAssigner(this.group, () => this.held)],
    });
    this.consumer = consumer;
    const firstDecision = new Promise<void>((resolve) => {
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        this.joined = true;
        this.held = (event.payload.memberAssignment[this.group] ?? []).includes(0);
        this.set(this.held);
        resolve();
      });
      // Not joined within a session timeout (broker slow, group busy): start as a follower.
      setTimeout(resolve, this.options.sessionTimeoutMs).unref();
    });
    consumer.on(consumer.events.REBALANCING, () => this.set(false));
    consumer.on(consumer.events.CRASH, (event) => {
      this.joined = false;
      this.held = false;
      this.set(false);
      this.logger.error({ group: this.group, err: String(event.payload.error?.message ?? 'crashed') }, 'leadership consumer crashed');
    });
    consumer.on(consumer.events.STOP, () => this.set(false));
    await consumer.connect();
    await consumer.subscribe({ topics: [this.group], fromBeginning: false });
    // Nothing is ever written to the topic: membership is all it is for.
    await consumer.run({ eachMessage: async () => undefined });
    await firstDecision;
  }

  async stop(): Promise<void> {
    this.held = false;
    this.set(false);
    await this.consumer?.disconnect();
    this.consumer = null;
    this.joined = false;
    await this.admin?.disconnect();
  }

  private set(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    for (const listener of this.listeners) listener(leading);
  }
}
