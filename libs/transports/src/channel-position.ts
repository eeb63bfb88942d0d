import type { SluiceRecord } from '@sluice/sdk';

/** Where a record was read from a partitioned channel (a Kafka channel topic). */
export interface ChannelPosition {
  readonly partition: number;
  /** The offset, as Kafka gives it (a decimal string). */
  readonly offset: string;
}

/**
 * The position of each record a channel consumer handed to its stage, by record object: the
 * record itself does not carry it (its `origin` is the source's, kept across hops), and a stage
 * that keeps state per partition needs it. Entries go with their records (a WeakMap).
 */
const positions = new WeakMap<SluiceRecord, ChannelPosition>();

/** Remembers where `record` was read (called by a channel consumer as it decodes a message). */
export function markChannelPosition(record: SluiceRecord, position: ChannelPosition): void {
  positions.set(record, position);
}

/** Where `record` was read from its channel; undefined for a record that did not come from a partitioned channel. */
export function channelPositionOf(record: SluiceRecord): ChannelPosition | undefined {
  return positions.get(record);
}
