import { KafkaSaslConfig, securityIssues, type KafkaSecuritySettings } from '@sluice/kafka';

export { KafkaSaslConfig };

/*
 * What both Kafka plugins share to reach a cluster: broker addresses, TLS, SASL and timeouts. TLS
 * and SASL (their config class, their kafkajs options, their checks) are `@sluice/kafka`'s, shared
 * with the Kafka transport.
 */

/** A broker address: `host:port` or `[IPv6]:port`; no scheme, no credentials. */
export const BROKER_ADDRESS = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):\d{1,5}$/;
export const BROKER_ADDRESS_MESSAGE = 'each broker must be "host:port" (no scheme, no credentials: put those in `sasl`)';

/** The connection settings a config class declares (see `kafka-client.ts`). */
export interface KafkaConnectionSettings extends KafkaSecuritySettings {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly retries: number;
}

/** Cross-field checks of the connection settings, as config issues. */
export function connectionIssues(settings: KafkaConnectionSettings): Array<{ path: string; message: string }> {
  const issues = securityIssues(settings);
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
