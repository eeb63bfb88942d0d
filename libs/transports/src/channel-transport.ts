import type { SluiceRecord } from '@sluice/sdk';
import type { Leadership } from './leadership.js';
import type { StateChangelog } from './state-changelog.js';

/** Consumes one batch from a channel. Resolving acknowledges the batch; rejecting refuses it. */
export type BatchHandler = (records: SluiceRecord[]) => Promise<void>;

/** What a subscriber may ask of its consumer beyond the batches. */
export interface SubscribeOptions {
  /**
   * Called with the partitions of the channel this member was given, each time the group assigns
   * them (Kafka; the embedded transport has no partitions and never calls it). Batches already
   * handed over may still be under way when it is called.
   */
  readonly onAssignment?: (partitions: readonly number[]) => void;
}

/** How a channel is declared (Kafka creates a topic with these settings; the embedded one ignores them). */
export interface ChannelSpec {
  readonly name: string;
  readonly partitions?: number;
  readonly retentionMs?: number;
}

/**
 * What the runtime needs from a transport: named channels between pipeline stages.
 *
 * Contract shared by every transport: `publish` resolves only once the channel took responsibility
 * for the records (embedded: the consuming stage acknowledged them; Kafka: the broker stored them),
 * and a consumer's handler resolving is its acknowledgement (Kafka then commits the offsets). The
 * runtime builds at-least-once delivery on exactly these two promises, so it never assumes that the
 * stages share a process.
 */
export interface ChannelTransport {
  readonly kind: string;
  connect(): Promise<void>;
  ensureChannel(spec: ChannelSpec): Promise<void>;
  /** Consume `channel` as member of consumer group `group` (one handler per channel and group). */
  subscribe(channel: string, group: string, handler: BatchHandler, options?: SubscribeOptions): Promise<void>;
  /** Stop consuming `channel` (in-flight handlers finish). */
  unsubscribe(channel: string, group: string): Promise<void>;
  publish(channel: string, records: readonly SluiceRecord[]): Promise<void>;
  close(): Promise<void>;
  status(): TransportStatus;
  /** Who leads among the hosts that share `group` (not started: call its `start()`). */
  leadership(group: string): Leadership;
  /** The changelog `name` where keyed state is kept across hosts (not started: call its `start()`). */
  changelog(name: string): StateChangelog;
}

export interface TransportStatus {
  readonly connected: boolean;
  readonly details: Record<string, unknown>;
}
