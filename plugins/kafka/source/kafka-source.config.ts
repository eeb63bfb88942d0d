import { Field } from '@sluice/sdk';
import { ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { KafkaConnectionConfig } from '../connection/kafka-connection-config.js';

export { KafkaSaslConfig } from '../connection/kafka-connection.js';

export const VALUE_FORMATS = ['json', 'string', 'bytes'] as const;
export type ValueFormat = (typeof VALUE_FORMATS)[number];

export const KEY_FORMATS = ['string', 'json'] as const;
export type KeyFormat = (typeof KEY_FORMATS)[number];

/** Config of the `kafka` source. */
export class KafkaSourceConfig extends KafkaConnectionConfig {
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
}
