import { KAFKA_COMPRESSIONS, type KafkaCompression } from '@sluice/kafka';
import { Field } from '@sluice/sdk';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Max, Min, MinLength, ValidateNested } from 'class-validator';
import { KafkaConnectionConfig } from '../connection/kafka-connection-config.js';

export { KafkaSaslConfig } from '../connection/kafka-connection.js';

export const VALUE_FORMATS = ['json', 'string', 'bytes'] as const;
export type ValueFormat = (typeof VALUE_FORMATS)[number];

export const ACKS = ['all', -1, 1] as const;
export type Acks = (typeof ACKS)[number];


/** How the sink creates its topic when it does not exist. */
export class KafkaTopicCreationConfig {
  @Field({ description: 'Number of partitions. Records with the same key always land in the same partition (and keep their order there).', example: 6 })
  @IsInt()
  @Min(1)
  @Max(100_000)
  partitions: number = 1;

  @Field({ description: 'Copies of each partition across brokers; -1 (default) uses the broker\'s default.replication.factor.', example: 3 })
  @IsInt()
  @Min(-1)
  @Max(32_767)
  replicationFactor: number = -1;

  @Field({ description: 'How long Kafka keeps messages, in milliseconds (`retention.ms`); -1 keeps them forever. Not set: the broker default (7 days unless configured).', example: 604_800_000 })
  @IsOptional()
  @IsInt()
  @Min(-1)
  retentionMs?: number;

  @Field({
    description: 'Further topic configs by their Kafka name, values as strings, e.g. `cleanup.policy: compact` or `max.message.bytes: "2097152"`.',
    example: { 'cleanup.policy': 'compact', 'min.insync.replicas': '2' },
  })
  @IsOptional()
  @IsObject()
  configs?: Record<string, string>;
}

/** Config of the `kafka` sink. */
export class KafkaSinkConfig extends KafkaConnectionConfig {
  @Field({ description: 'The topic records are written to. It must exist, unless `createTopic` is set.', example: 'orders.enriched' })
  @IsString()
  @MinLength(1)
  topic: string;

  @Field({
    description:
      'Create the topic with these settings when it does not exist (checked at every start; an existing topic is left as it is). ' +
      'Not set (default): the topic must exist.',
    nested: () => KafkaTopicCreationConfig,
    example: { partitions: 6, replicationFactor: 3, retentionMs: 604_800_000 },
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => KafkaTopicCreationConfig)
  createTopic?: KafkaTopicCreationConfig;

  @Field({
    description:
      'How record values are written: `json` (UTF-8 JSON text), `string` (a string value as its UTF-8 text, any other value as JSON) ' +
      'or `bytes` (the value must be a base64 string, e.g. from the kafka source\'s `bytes` format, written as the raw bytes). ' +
      'A value that cannot be written this way fails on its own and is dead-lettered.',
    example: 'json',
  })
  @IsIn([...VALUE_FORMATS])
  format: ValueFormat = 'json';

  @Field({ description: 'Write record headers as Kafka headers (UTF-8 strings). Message keys always come from the record key; records without a key are spread over the partitions.', example: true })
  @IsBoolean()
  headers: boolean = true;

  @Field({
    description:
      '`record` (default): the message timestamp is the record\'s event time. `now`: the time of writing. Kafka 4 refuses, by ' +
      'default, timestamps more than one hour in the future (topic config message.timestamp.after.max.ms); such a record is dead-lettered.',
    example: 'record',
  })
  @IsIn(['record', 'now'])
  timestamp: 'record' | 'now' = 'record';

  @Field({ description: 'Write a null record value as a Kafka tombstone (no value: deletes the key in a compacted topic) instead of the JSON text `null`.', example: true })
  @IsBoolean()
  tombstoneNulls: boolean = false;

  @Field({
    description:
      'Acknowledgement a write waits for before the batch counts as stored: `all` (= -1, default: every in-sync replica has it) ' +
      'or 1 (the partition leader has it; a leader failure right after can lose it).',
    example: 'all',
  })
  @IsIn([...ACKS])
  acks: Acks = 'all';

  @Field({
    description: 'Compression of the message batches: `none`, `gzip`, `snappy` or `lz4` (smaller on the wire and on disk, more CPU; lz4 and snappy are the cheap ones Java producers use).',
    example: 'lz4',
  })
  @IsIn([...KAFKA_COMPRESSIONS])
  compression: KafkaCompression = 'none';

  @Field({
    description:
      'Idempotent producer: the broker drops the duplicates that kafkajs\'s own retries of a request could create. Needs acks: all. ' +
      'It does not remove duplicates of a batch the pipeline writes again after a failure (delivery stays at-least-once), which is ' +
      'why kafkajs\'s retries stay limited by `retries` and kafkajs logs a warning about it at start.',
    example: true,
  })
  @IsBoolean()
  idempotent: boolean = false;

  @Field({ description: 'Milliseconds the broker may take to gather the acknowledgements of one write (the produce request timeout).', example: 30000 })
  @IsInt()
  @Min(100)
  @Max(600_000)
  timeoutMs: number = 30_000;

  @Field({
    description:
      'Largest estimated size, in bytes (uncompressed), of one produce request. A bigger batch is sent as several requests, one after ' +
      'the other; a single record bigger than this fails on its own. Keep it at or below the topic\'s max.message.bytes (broker default 1048588).',
    example: 1_000_000,
  })
  @IsInt()
  @Min(1024)
  @Max(1_073_741_824)
  maxRequestBytes: number = 1_000_000;

  @Field({
    description:
      'How often kafkajs retries a failed request (with exponential backoff from 300 ms up to 30 s) before the write fails; the ' +
      'runtime then retries the batch with its own backoff. At least 1 with `idempotent`.',
    example: 5,
  })
  @IsInt()
  @Min(0)
  @Max(100)
  retries: number = 5;
}
