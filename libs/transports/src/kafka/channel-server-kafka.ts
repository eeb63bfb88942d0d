import { ServerKafka } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload } from 'kafkajs';

/** What handles one fetched batch of a channel topic's messages (one partition's, in offset order). */
export type ChannelBatchHandler = (payload: EachBatchPayload) => Promise<void>;

/**
 * Nest's Kafka server strategy, consuming per batch. The base strategy dispatches every message
 * on its own (parse and clone it, look its handler up by pattern, run it through rxjs), which is
 * per-record work on the hottest path; a channel's stage takes batches anyway. Here the consumer
 * runs kafkajs's `eachBatch`, and each fetched batch goes to its topic's handler in one call, its
 * messages as kafkajs read them (the channel codec decodes them). The server's lifecycle (client,
 * consumer and producer creation, `listen`, `close`, `unwrap`, logging) is Nest's own.
 */
export class ChannelServerKafka extends ServerKafka {
  private readonly batchHandlers = new Map<string, ChannelBatchHandler>();

  /** Registers the handler of a topic's batches; the consumer subscribes to the topics registered before `listen`. */
  addBatchHandler(topic: string, handler: ChannelBatchHandler): void {
    this.batchHandlers.set(topic, handler);
  }

  override async bindEvents(consumer: Consumer): Promise<void> {
    const topics = [...this.batchHandlers.keys()];
    if (topics.length > 0) await consumer.subscribe({ ...(this.options.subscribe ?? {}), topics });
    await consumer.run({ ...(this.options.run ?? {}), eachBatch: (payload) => this.handleBatch(payload) });
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const handler = this.batchHandlers.get(payload.batch.topic);
    if (!handler) {
      // Not subscribed by us: nothing to hand it to (kafkajs resolves the batch, as Nest does for an unknown event).
      this.logger.error(`no batch handler for topic "${payload.batch.topic}"`);
      return;
    }
    await handler(payload);
  }
}
