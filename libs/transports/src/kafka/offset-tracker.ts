/** A received message whose offset is waiting to be handled. */
export interface PendingOffset {
  readonly lane: string;
  readonly offset: bigint;
  /** @internal */ done: boolean;
}

interface Lane {
  readonly topic: string;
  readonly partition: number;
  readonly entries: PendingOffset[];
  head: number;
}

/**
 * Per topic-partition, the next offset that may be committed: one past the last message for which
 * it and every earlier received message were handled (acknowledged out of order or not).
 */
export class OffsetTracker {
  private readonly lanes = new Map<string, Lane>();
  private readonly moved = new Map<string, bigint>();

  track(topic: string, partition: number, offset: string): PendingOffset {
    const key = `${topic}/${partition}`;
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { topic, partition, entries: [], head: 0 };
      this.lanes.set(key, lane);
    }
    const entry: PendingOffset = { lane: key, offset: BigInt(offset), done: false };
    lane.entries.push(entry);
    return entry;
  }

  handled(entry: PendingOffset): void {
    if (entry.done) return;
    entry.done = true;
    const lane = this.lanes.get(entry.lane);
    if (!lane) return;
    while (lane.head < lane.entries.length && lane.entries[lane.head].done) {
      this.moved.set(entry.lane, lane.entries[lane.head].offset + 1n);
      lane.head++;
    }
    if (lane.head === lane.entries.length) {
      lane.entries.length = 0;
      lane.head = 0;
    } else if (lane.head > 1024) {
      lane.entries.splice(0, lane.head);
      lane.head = 0;
    }
  }

  /** The commits that became possible since the last call, as kafkajs `commitOffsets` input. */
  takeCommittable(): Array<{ topic: string; partition: number; offset: string }> {
    const out = [...this.moved].map(([key, offset]) => {
      const lane = this.lanes.get(key)!;
      return { topic: lane.topic, partition: lane.partition, offset: offset.toString() };
    });
    this.moved.clear();
    return out;
  }
}
