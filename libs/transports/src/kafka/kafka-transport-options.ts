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
