import type { JsonValue, SourcePosition } from '@sluice/sdk';

/** A record registered with the tracker; pass it back to `ack` once the record is handled. */
export interface TrackedPosition {
  readonly lane: string;
  readonly offset: JsonValue;
  /** @internal */ done: boolean;
}

interface Lane {
  readonly entries: TrackedPosition[];
  head: number;
}

/**
 * Turns out-of-order acknowledgements into a safe commit point per lane: the offset of the last
 * record for which it and every earlier record of its lane were handled. A record acknowledged
 * while an earlier one is still pending does not move the commit point, so a crash can only cause
 * re-delivery, never loss.
 */
export class ContiguousTracker {
  private readonly lanes = new Map<string, Lane>();
  private readonly committable = new Map<string, JsonValue>();
  private pendingCount = 0;

  /** Registers a record in read order. */
  track(position: SourcePosition): TrackedPosition {
    let lane = this.lanes.get(position.lane);
    if (!lane) {
      lane = { entries: [], head: 0 };
      this.lanes.set(position.lane, lane);
    }
    const entry: TrackedPosition = { lane: position.lane, offset: position.offset, done: false };
    lane.entries.push(entry);
    this.pendingCount++;
    return entry;
  }

  /** Marks a record handled (acknowledged or dead-lettered). Acking twice is harmless. */
  ack(entry: TrackedPosition): void {
    if (entry.done) return;
    entry.done = true;
    this.pendingCount--;
    const lane = this.lanes.get(entry.lane);
    if (!lane) return;
    let advanced = false;
    while (lane.head < lane.entries.length && lane.entries[lane.head].done) {
      this.committable.set(entry.lane, lane.entries[lane.head].offset);
      lane.head++;
      advanced = true;
    }
    if (advanced && lane.head > 1024 && lane.head * 2 > lane.entries.length) {
      lane.entries.splice(0, lane.head);
      lane.head = 0;
    }
    if (lane.head === lane.entries.length) {
      lane.entries.length = 0;
      lane.head = 0;
    }
  }

  /** Records tracked and not yet acknowledged. */
  get pending(): number {
    return this.pendingCount;
  }

  /** Takes the commit points that moved since the last call (lane → offset), or null when none did. */
  takeCommittable(): Record<string, JsonValue> | null {
    if (this.committable.size === 0) return null;
    const result = Object.fromEntries(this.committable);
    this.committable.clear();
    return result;
  }
}
