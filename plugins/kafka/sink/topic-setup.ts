import { describeError, RecordError, type PluginLogger } from '@sluice/sdk';
import type { Admin } from 'kafkajs';
import { kafkaErrorType } from '../connection/kafka-client.js';
import type { KafkaTopicCreationConfig } from './kafka-sink.config.js';

/** The topic configs of a creation request (`retention.ms` plus the extra `configs`). */
export function topicConfigEntries(creation: KafkaTopicCreationConfig): Array<{ name: string; value: string }> {
  const entries = Object.entries(creation.configs ?? {}).map(([name, value]) => ({ name, value: String(value) }));
  if (creation.retentionMs !== undefined) {
    entries.push({ name: 'retention.ms', value: String(creation.retentionMs) });
  }
  return entries;
}

/** What the sink found (or made) at start. */
export interface TopicState {
  readonly partitions: number;
  readonly created: boolean;
}

/**
 * Creates the topic when `creation` is set and it is missing (an existing topic is never changed;
 * a partition count that differs from the declared one is only reported), then checks that the
 * topic exists and reads its partition count.
 */
export async function prepareTopic(admin: Admin, topic: string, creation: KafkaTopicCreationConfig | undefined, logger: PluginLogger): Promise<TopicState> {
  let created = false;
  if (creation) {
    try {
      created = await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: creation.partitions, replicationFactor: creation.replicationFactor, configEntries: topicConfigEntries(creation) }],
      });
    } catch (error) {
      const type = kafkaErrorType(error);
      // A refused configuration or replication factor is a config mistake: say so plainly.
      const configProblem = type === 'INVALID_CONFIG' || type === 'INVALID_REPLICATION_FACTOR' || type === 'INVALID_PARTITIONS' || type === 'POLICY_VIOLATION';
      throw new RecordError(`kafka sink: creating topic "${topic}" failed${type ? ` [${type}]` : ''}: ${describeError(error)}`, { retryable: !configProblem, cause: error });
    }
    if (created) logger.info({ topic, partitions: creation.partitions, replicationFactor: creation.replicationFactor, configs: topicConfigEntries(creation) }, 'kafka: created topic');
  }
  let partitions: number;
  try {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    partitions = metadata.topics.find((t) => t.name === topic)?.partitions.length ?? 0;
  } catch (error) {
    if (kafkaErrorType(error) === 'UNKNOWN_TOPIC_OR_PARTITION') {
      throw new RecordError(`kafka sink: topic "${topic}" does not exist; create it, or set createTopic`, { retryable: true, cause: error });
    }
    throw new RecordError(`kafka sink: cannot read the metadata of topic "${topic}": ${describeError(error)}`, { retryable: true, cause: error });
  }
  if (partitions === 0) throw new RecordError(`kafka sink: topic "${topic}" has no partitions in the cluster metadata`, { retryable: true });
  if (creation && !created && partitions !== creation.partitions) {
    logger.warn({ topic, partitions, declared: creation.partitions }, 'kafka: the topic exists with another partition count than createTopic declares; it is left as it is');
  }
  return { partitions, created };
}
