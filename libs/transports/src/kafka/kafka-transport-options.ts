import type { KafkaCompression } from '@sluice/kafka';
import type { KafkaConfig, logLevel, SASLOptions } from 'kafkajs';

export interface KafkaTransportOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Defaults for the channel topics Sluice creates. */
  readonly topics: { readonly partitions: number; readonly replicationFactor: number; readonly retentionMs?: number };
  /** Compression of the batches published to channel topics (consumers read every supported one). */
  readonly compression?: KafkaCompression;
  /** TLS of every client the transport opens (kafkajs `ssl`); none when absent. */
  readonly ssl?: KafkaConfig['ssl'];
  /** SASL authentication of every client (kafkajs `sasl`). */
  readonly sasl?: SASLOptions;
  /** How a consumer hands records to its stage: batches of at most this many, ... */
  readonly maxBatchRecords: number;
  /** ... or what arrived within this many ms. */
  readonly maxBatchWaitMs: number;
  /** Records received and not yet acknowledged per subscription, before fetching pauses. */
  readonly maxInFlight: number;
  /** How often acknowledged offsets are committed (ms). */
  readonly commitIntervalMs: number;
  readonly sessionTimeoutMs: number;
  readonly connectionTimeoutMs: number;
  readonly logLevel?: logLevel;
}

/** The kafkajs client settings every client of the transport shares (producer, admin, each consumer), under `clientId`. */
export function kafkaClientConfig(options: KafkaTransportOptions, clientId: string): KafkaConfig {
  return {
    clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs,
    ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
    ...(options.sasl === undefined ? {} : { sasl: options.sasl }),
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
  };
}

/**
 * Consumer timings every consumer of the transport shares. A fetch on a quiet partition waits at
 * most `maxWaitTimeInMs`, and kafkajs waits for that fetch before it leaves the group on stop: kept
 * short so that a stopping host hands its partitions (and the lead) over within a second. The
 * heartbeat, a fifth of the session timeout, is how soon a member hears of a rebalance.
 */
export function kafkaConsumerTimings(options: Pick<KafkaTransportOptions, 'sessionTimeoutMs'>): { sessionTimeout: number; heartbeatInterval: number; maxWaitTimeInMs: number } {
  return { sessionTimeout: options.sessionTimeoutMs, heartbeatInterval: Math.max(100, Math.min(3000, Math.floor(options.sessionTimeoutMs / 5))), maxWaitTimeInMs: 500 };
}
