import type { JsonValue, SourcePosition } from '../record.js';

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
  /** Records the commit points moved past since the last take (they need no redelivery once committed). */
  private coveredCount = 0;

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
      this.coveredCount++;
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

  /** Records acknowledged and covered by a commit point that was not taken yet. */
  get covered(): number {
    return this.coveredCount;
  }

  /**
   * Takes the commit points that moved since the last call (lane → offset) and how many records
   * they cover, or null when none moved.
   */
  takeCommittable(): CommittablePositions | null {
    if (this.committable.size === 0) return null;
    const taken = { offsets: Object.fromEntries(this.committable), records: this.coveredCount };
    this.committable.clear();
    this.coveredCount = 0;
    return taken;
  }

  /** Puts back what a failed commit took, unless a lane moved on since (its newer point covers it). */
  restore(taken: CommittablePositions): void {
    for (const [lane, offset] of Object.entries(taken.offsets)) if (!this.committable.has(lane)) this.committable.set(lane, offset);
    this.coveredCount += taken.records;
  }
}

/** Commit points to persist, and how many records they newly cover. */
export interface CommittablePositions {
  readonly offsets: Record<string, JsonValue>;
  readonly records: number;
}
