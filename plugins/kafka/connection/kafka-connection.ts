import { Field } from '@sluice/sdk';
import { IsIn, IsString, MinLength } from 'class-validator';

/*
 * What both Kafka plugins share to reach a cluster: broker addresses, TLS, SASL and timeouts. The
 * `kafka` source and the `kafka` sink keep identical copies of this file (plugins import nothing
 * from one another); each config class declares and documents the fields.
 */

/** A broker address: `host:port` or `[IPv6]:port`; no scheme, no credentials. */
export const BROKER_ADDRESS = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):\d{1,5}$/;
export const BROKER_ADDRESS_MESSAGE = 'each broker must be "host:port" (no scheme, no credentials: put those in `sasl`)';

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** SASL authentication. */
export class KafkaSaslConfig {
  @Field({ description: 'SASL mechanism: `plain`, `scram-sha-256` or `scram-sha-512`. Use it together with `ssl: true` unless the network is trusted.', example: 'scram-sha-512' })
  @IsIn([...SASL_MECHANISMS])
  mechanism: SaslMechanism;

  @Field({ description: 'SASL user name.', example: 'sluice' })
  @IsString()
  @MinLength(1)
  username: string;

  @Field({ description: 'SASL password. Secret: never logged or shown; use `${KAFKA_PASSWORD}` to keep it out of the file.', example: '${KAFKA_PASSWORD}', secret: true })
  @IsString()
  @MinLength(1)
  password: string;
}

/** The connection settings a config class declares (see `kafka-client.ts`). */
export interface KafkaConnectionSettings {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly retries: number;
  readonly ssl: boolean;
  readonly sslCaFile?: string;
  readonly sslRejectUnauthorized: boolean;
  readonly sasl?: KafkaSaslConfig;
}

/** Cross-field checks of the connection settings, as config issues. */
export function connectionIssues(settings: KafkaConnectionSettings): Array<{ path: string; message: string }> {
  const issues: Array<{ path: string; message: string }> = [];
  if (!settings.ssl && settings.sslCaFile !== undefined) issues.push({ path: 'sslCaFile', message: 'only applies with ssl: true' });
  if (!settings.ssl && settings.sslRejectUnauthorized === false) issues.push({ path: 'sslRejectUnauthorized', message: 'only applies with ssl: true' });
  const seen = new Set<string>();
  settings.brokers?.forEach((broker, index) => {
    if (seen.has(broker)) issues.push({ path: `brokers[${index}]`, message: `"${broker}" is listed twice` });
    seen.add(broker);
    const port = Number(broker.slice(broker.lastIndexOf(':') + 1));
    if (port < 1 || port > 65535) issues.push({ path: `brokers[${index}]`, message: `port ${port} is out of range (1-65535)` });
  });
  return issues;
}

/** A Kafka topic name: 1 to 249 of letters, digits, `.`, `_` and `-`, and not `.` or `..`. */
export const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

/** Why `name` is not a valid topic name, or undefined when it is one. */
export function topicNameProblem(name: string): string | undefined {
  if (name === '.' || name === '..') return `"${name}" is not a valid topic name`;
  if (!TOPIC_NAME.test(name)) return `"${name}" is not a valid topic name (1 to 249 letters, digits, ".", "_" or "-")`;
  return undefined;
}
