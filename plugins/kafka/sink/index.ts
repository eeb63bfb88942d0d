import { defineSink, type ConfigIssue } from '@sluice/sdk';
import { connectionIssues, topicNameProblem } from '../connection/kafka-connection.js';
import { KafkaSinkConfig } from './kafka-sink.config.js';
import { KafkaSink } from './kafka-sink.js';

export { KafkaSinkConfig, KafkaTopicCreationConfig, KafkaSaslConfig } from './kafka-sink.config.js';
export { KafkaSink } from './kafka-sink.js';

/** Topic config names: lower-case words separated by dots (`cleanup.policy`). */
const TOPIC_CONFIG_NAME = /^[a-z0-9]+(\.[a-z0-9]+)*$/;

/** Checks across fields that decorators cannot express. */
function validate(config: KafkaSinkConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [...connectionIssues(config)];
  const problem = topicNameProblem(config.topic);
  if (problem) issues.push({ path: 'topic', message: problem });
  if (config.idempotent && config.acks !== 'all' && config.acks !== -1) issues.push({ path: 'acks', message: 'must be "all" with idempotent: true' });
  if (config.idempotent && config.retries < 1) issues.push({ path: 'retries', message: 'must be at least 1 with idempotent: true' });
  const creation = config.createTopic;
  if (creation) {
    if (creation.replicationFactor === 0) issues.push({ path: 'createTopic.replicationFactor', message: 'must be -1 (broker default) or at least 1' });
    for (const [name, value] of Object.entries(creation.configs ?? {})) {
      if (!TOPIC_CONFIG_NAME.test(name)) issues.push({ path: `createTopic.configs.${name}`, message: 'is not a topic config name (lower-case words separated by dots, e.g. cleanup.policy)' });
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        issues.push({ path: `createTopic.configs.${name}`, message: 'must be a string (or a number / boolean)' });
      }
    }
    if (creation.retentionMs !== undefined && creation.configs && 'retention.ms' in creation.configs) {
      issues.push({ path: 'createTopic.configs.retention.ms', message: 'is set by retentionMs already; keep one of them' });
    }
  }
  return issues;
}

export default defineSink<KafkaSinkConfig>({
  name: 'kafka',
  version: '1.0.0',
  description:
    'Writes records to a Kafka topic (keyed by the record key, headers kept), acknowledged once the brokers stored them; can create the topic with its partitions and retention.',
  config: KafkaSinkConfig,
  validate,
  create: (config, context) => new KafkaSink(config, context),
  examples: [
    { title: 'JSON records to an existing topic', config: { brokers: ['localhost:9092'], topic: 'orders.enriched' } },
    {
      title: 'Create a 6-partition topic kept 7 days, gzip, idempotent, over TLS + SCRAM',
      config: {
        brokers: ['kafka-1.internal:9093', 'kafka-2.internal:9093'],
        topic: 'vehicles.positions',
        createTopic: { partitions: 6, replicationFactor: 3, retentionMs: 604_800_000 },
        compression: 'gzip',
        idempotent: true,
        ssl: true,
        sasl: { mechanism: 'scram-sha-512', username: 'sluice', password: '${KAFKA_PASSWORD}' },
      },
    },
  ],
});
