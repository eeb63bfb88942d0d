import type { KafkaCompression } from '@sluice/kafka';
import type { logLevel } from 'kafkajs';

export interface KafkaTransportOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Defaults for the channel topics Sluice creates. */
  readonly topics: { readonly partitions: number; readonly replicationFactor: number; readonly retentionMs?: number };
  /** Compression of the batches published to channel topics (consumers read every supported one). */
  readonly compression?: KafkaCompression;
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
