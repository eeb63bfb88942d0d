import { ContiguousTracker, type TrackedPosition } from '@sluice/sdk';

/** A received message whose offset is waiting to be handled. */
export type PendingOffset = TrackedPosition;

/**
 * Per topic-partition, the next offset that may be committed: one past the last message for which
 * it and every earlier received message were handled (acknowledged out of order or not). The SDK's
 * contiguous tracker does the work, with `<topic>/<partition>` as lane; this only speaks Kafka.
 */
export class OffsetTracker {
  private readonly tracker = new ContiguousTracker();
  private readonly partitions = new Map<string, { readonly topic: string; readonly partition: number }>();
  /** Per lane, the last offset received: everything up to it was, or is being, handled here. */
  private readonly received = new Map<string, bigint>();

  track(topic: string, partition: number, offset: string): PendingOffset {
    const lane = `${topic}/${partition}`;
    if (!this.partitions.has(lane)) this.partitions.set(lane, { topic, partition });
    this.received.set(lane, BigInt(offset));
    return this.tracker.track({ lane, offset });
  }

  /**
   * Whether this member already received the message at `offset`. After a rebalance kafkajs
   * fetches a partition it kept from the last committed offset again; what this member received
   * since is handled here (or is being), so it must not be handed to the stage twice.
   */
  alreadyReceived(topic: string, partition: number, offset: string): boolean {
    const last = this.received.get(`${topic}/${partition}`);
    return last !== undefined && BigInt(offset) <= last;
  }

  handled(entry: PendingOffset): void {
    this.tracker.ack(entry);
  }

  /** The commits that became possible since the last call, as kafkajs `commitOffsets` input. */
  takeCommittable(): Array<{ topic: string; partition: number; offset: string }> {
    const taken = this.tracker.takeCommittable();
    if (!taken) return [];
    return Object.entries(taken.offsets).map(([lane, offset]) => ({ ...this.partitions.get(lane)!, offset: (BigInt(offset as string) + 1n).toString() }));
  }
}
