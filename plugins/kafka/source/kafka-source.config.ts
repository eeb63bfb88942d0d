import { Field } from '@sluice/sdk';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateNested } from 'class-validator';
import { BROKER_ADDRESS, BROKER_ADDRESS_MESSAGE, KafkaSaslConfig, type KafkaConnectionSettings } from '../connection/kafka-connection.js';

export { KafkaSaslConfig } from '../connection/kafka-connection.js';

export const VALUE_FORMATS = ['json', 'string', 'bytes'] as const;
export type ValueFormat = (typeof VALUE_FORMATS)[number];

export const KEY_FORMATS = ['string', 'json'] as const;
export type KeyFormat = (typeof KEY_FORMATS)[number];

/** Config of the `kafka` source. */
export class KafkaSourceConfig implements KafkaConnectionSettings {
  @Field({ description: 'Bootstrap brokers, `host:port` each; the client discovers the rest of the cluster from them.', example: ['kafka-1:9092', 'kafka-2:9092'] })
  @IsArray()
  @ArrayMinSize(1)
  @IsString({ each: true })
  @Matches(BROKER_ADDRESS, { each: true, message: BROKER_ADDRESS_MESSAGE })
  brokers: string[];

  @Field({
    description:
      'Topics to read. An entry written between slashes, e.g. `/orders\\..*/`, is a regular expression that must match the whole ' +
      'topic name; it is matched against the topics that exist when the source starts (internal `__` topics excepted). Every other ' +
      'entry is a topic name that must exist.',
    example: ['orders', '/sales\\.eu\\..*/'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  topics: string[];

  @Field({
    description:
      'Consumer group the source joins. Its members share the partitions of the topics, and the group keeps the committed offsets: ' +
      'a restarted source resumes where the group left off.',
    example: 'sluice-orders',
  })
  @IsString()
  @MinLength(1)
  @Matches(/^[^\s]+$/, { message: 'groupId must not contain spaces' })
  groupId: string;

  @Field({ description: 'Client id sent to the brokers (shows up in broker logs, quotas and metrics).', example: 'sluice-orders' })
  @IsString()
  @MinLength(1)
  clientId: string = 'sluice';

  @Field({
    description:
      'Where to start on a partition for which the group has no committed offset yet: true = its oldest retained message, ' +
      'false (default) = only messages produced from now on. Partitions with a committed offset always resume after it.',
    example: true,
  })
  @IsBoolean()
  fromBeginning: boolean = false;

  @Field({
    description:
      'How message values are decoded: `json` (UTF-8 JSON; a message that is not valid JSON is dead-lettered with its raw text), ' +
      '`string` (UTF-8 text) or `bytes` (the raw bytes as a base64 string, for binary payloads). A tombstone (null value) is null in every format.',
    example: 'json',
  })
  @IsIn([...VALUE_FORMATS])
  format: ValueFormat = 'json';

  @Field({
    description:
      'How message keys become record keys: `string` (UTF-8 text as is) or `json` (the key is JSON: a JSON string becomes its text, ' +
      'any other JSON value its compact JSON; a key that is not JSON makes the message a dead letter).',
    example: 'string',
  })
  @IsIn([...KEY_FORMATS])
  keyFormat: KeyFormat = 'string';

  @Field({
    description:
      'Messages fetched but not yet read by the pipeline. When the buffer is full, fetching stops (the consumer keeps its group ' +
      'membership alive with heartbeats) until the pipeline catches up: memory stays bounded whatever the backlog. One read returns at most this many records.',
    example: 1000,
  })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  maxBufferedMessages: number = 1000;

  @Field({
    description:
      'Milliseconds without a heartbeat after which the group coordinator considers the source dead and gives its partitions to ' +
      'other members. Heartbeats are sent every third of it (at most every 3 s). Must lie within the broker\'s group.min/max.session.timeout.ms.',
    example: 30000,
  })
  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  sessionTimeoutMs: number = 30_000;

  @Field({
    description:
      'Longest time in milliseconds the broker holds a fetch open waiting for new messages. Lower values make stopping quicker and ' +
      'cost more idle requests.',
    example: 1000,
  })
  @IsInt()
  @Min(10)
  @Max(60_000)
  fetchMaxWaitMs: number = 1000;

  @Field({ description: 'Milliseconds to wait for a TCP (and TLS) connection to a broker.', example: 3000 })
  @IsInt()
  @Min(100)
  @Max(300_000)
  connectionTimeoutMs: number = 3000;

  @Field({ description: 'Milliseconds to wait for the answer to one request before it counts as failed (and is retried).', example: 30000 })
  @IsInt()
  @Min(100)
  @Max(600_000)
  requestTimeoutMs: number = 30_000;

  @Field({
    description:
      'How often kafkajs retries a failed request (with exponential backoff from 300 ms up to 30 s) before the error reaches the ' +
      'source; the runtime then restarts the source with its own backoff.',
    example: 5,
  })
  @IsInt()
  @Min(0)
  @Max(100)
  retries: number = 5;

  @Field({ description: 'Connect with TLS. The server certificate is checked against the system CAs, or `sslCaFile`.', example: true })
  @IsBoolean()
  ssl: boolean = false;

  @Field({ description: 'PEM file of the CA(s) that signed the brokers\' certificates; relative to the config file\'s folder. Only with `ssl: true`.', example: 'certs/kafka-ca.pem' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  sslCaFile?: string;

  @Field({ description: 'Refuse brokers whose certificate cannot be verified. Turn off only for testing: it allows a man in the middle.', example: true })
  @IsBoolean()
  sslRejectUnauthorized: boolean = true;

  @Field({ description: 'SASL authentication (PLAIN or SCRAM). Not set (default): no authentication.', nested: () => KafkaSaslConfig })
  @IsOptional()
  @ValidateNested()
  @Type(() => KafkaSaslConfig)
  sasl?: KafkaSaslConfig;
}
