import { defineSource, type ConfigIssue } from '@sluice/sdk';
import { connectionIssues } from '../connection/kafka-connection.js';
import { KafkaSourceConfig } from './kafka-source.config.js';
import { KafkaSource } from './kafka-source.js';
import { topicIssues } from './topic-selection.js';

export { KafkaSourceConfig, KafkaSaslConfig } from './kafka-source.config.js';
export { KafkaSource } from './kafka-source.js';

/** Checks across fields that decorators cannot express. */
function validate(config: KafkaSourceConfig): ConfigIssue[] {
  return [...topicIssues(config.topics), ...connectionIssues(config)];
}

export default defineSource<KafkaSourceConfig>({
  name: 'kafka',
  capabilities: { ownsOffsets: true, splittable: true },
  version: '1.0.0',
  description:
    'Reads Kafka topics (names or patterns) as a member of a consumer group: JSON, text or binary values, headers and keys kept, offsets committed to the group only once the pipeline handled the records.',
  config: KafkaSourceConfig,
  validate,
  create: (config, context) => new KafkaSource(config, context),
  examples: [
    { title: 'JSON orders from one topic, from the oldest message on first start', config: { brokers: ['localhost:9092'], topics: ['orders'], groupId: 'sluice-orders', fromBeginning: true } },
    {
      title: 'Every sales.* topic over TLS + SCRAM, text values, small buffer',
      config: {
        brokers: ['kafka-1.internal:9093', 'kafka-2.internal:9093'],
        topics: ['/sales\\..*/'],
        groupId: 'sluice-sales',
        format: 'string',
        maxBufferedMessages: 200,
        ssl: true,
        sasl: { mechanism: 'scram-sha-512', username: 'sluice', password: '${KAFKA_PASSWORD}' },
      },
    },
  ],
});
