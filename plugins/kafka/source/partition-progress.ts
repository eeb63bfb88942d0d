import type { Checkpoint, JsonValue } from '@sluice/sdk';

/** The lane of a partition: `<topic>/<partition>` (topic names cannot contain `/`). */
export function laneOf(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

/** An offset as a record position: a number when it is a safe integer, its decimal text beyond. */
export function offsetPosition(offset: string): number | string {
  const number = Number(offset);
  return Number.isSafeInteger(number) ? number : offset;
}

/** A committed position back as an offset; undefined when it is not a non-negative integer. */
export function parseOffset(value: JsonValue | undefined): bigint | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : undefined;
  if (typeof value === 'string' && /^\d{1,19}$/.test(value)) return BigInt(value);
  return undefined;
}

/** What the source knows about one assigned partition, for the current assignment only. */
interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  /** Offset of the first message buffered since the partition was assigned: the group's position then (or past it). */
  floor?: bigint;
  /** Highest offset handed to the runtime. */
  delivered?: bigint;
  /** Next offset this source committed to the group (Kafka's committed offset = last handled + 1). */
  committed?: bigint;
  /** The partition's high watermark at the last fetch (the offset the next message will get). */
  highWatermark?: bigint;
}

/** A partition and the next offset to read there (last handled + 1): to commit, or to resume from. */
export interface PlannedCommit {
  readonly lane: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

export interface CommitPlan {
  readonly generation: number;
  readonly commits: readonly PlannedCommit[];
}

/**
 * Per-partition bookkeeping between what Kafka assigned, what the source handed out and what it
 * committed, so that `commit(checkpoint)` only ever moves the group's offsets forward and only for
 * partitions the source owns and read in the current assignment.
 *
 * Why the guards: the runtime passes its whole checkpoint, which may hold lanes of partitions this
 * member does not own (any more) and stale values from an older run. A commit is planned for a lane
 * only when its checkpoint offset lies between the first offset read while the partition was
 * assigned here and the last one handed out, and moves past what was committed.
 *
 * Rebalances: a partition that stays with the same member (same member id, so no other member can
 * have owned it in between: a member that misses a generation is evicted and gets a new id) keeps
 * its bookkeeping, and the source seeks it to right after the last record handed out, since kafkajs
 * would otherwise fetch it again from the group's committed offset. A partition that is new to the
 * member, or any partition after the member id changed, starts afresh.
 */
export class PartitionProgress {
  private partitions = new Map<string, PartitionState>();
  private currentGeneration = 0;
  private memberId: string | undefined;

  /** Changes with every assignment (and clear): a token that tells stale work apart. */
  get generation(): number {
    return this.currentGeneration;
  }

  /**
   * Starts a new assignment (`topic → partitions`) of member `memberId`. Partitions kept by the same
   * member keep their bookkeeping; the result lists those that had records handed out, with the
   * offset to resume them from (right after the last one handed out).
   */
  assign(assignment: Readonly<Record<string, readonly number[]>>, memberId: string): PlannedCommit[] {
    const previous = memberId === this.memberId ? this.partitions : new Map<string, PartitionState>();
    this.currentGeneration++;
    this.memberId = memberId;
    this.partitions = new Map();
    const resume: PlannedCommit[] = [];
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of [...partitions].sort((a, b) => a - b)) {
        const lane = laneOf(topic, partition);
        const kept = previous.get(lane);
        this.partitions.set(lane, kept ? { ...kept } : { topic, partition });
        if (kept?.delivered !== undefined) resume.push({ lane, topic, partition, offset: kept.delivered + 1n });
      }
    }
    return resume;
  }

  /** No assignment (consumer stopped or crashed; kafkajs joins again as a new member). */
  clear(): void {
    this.currentGeneration++;
    this.memberId = undefined;
    this.partitions = new Map();
  }

  /** The assigned partitions as lanes. */
  get assigned(): string[] {
    return [...this.partitions.keys()];
  }

  isAssigned(lane: string): boolean {
    return this.partitions.has(lane);
  }

  /** A message entered the buffer. False when its partition is not assigned (a stale fetch). */
  received(lane: string, offset: bigint): boolean {
    const state = this.partitions.get(lane);
    if (!state) return false;
    state.floor ??= offset;
    return true;
  }

  /** A record was handed to the runtime. */
  handedOut(lane: string, offset: bigint): void {
    const state = this.partitions.get(lane);
    if (state && (state.delivered === undefined || offset > state.delivered)) state.delivered = offset;
  }

  /** The high watermark a fetch reported for a partition. */
  observeHighWatermark(lane: string, highWatermark: string): void {
    const state = this.partitions.get(lane);
    if (state && /^\d+$/.test(highWatermark)) state.highWatermark = BigInt(highWatermark);
  }

  /** The offsets to commit for a runtime checkpoint (lane → offset of the last handled record). */
  plan(checkpoint: Checkpoint): CommitPlan {
    const commits: PlannedCommit[] = [];
    for (const [lane, value] of Object.entries(checkpoint)) {
      const state = this.partitions.get(lane);
      if (!state || state.floor === undefined || state.delivered === undefined) continue;
      const last = parseOffset(value);
      if (last === undefined || last < state.floor || last > state.delivered) continue;
      const next = last + 1n;
      if (state.committed !== undefined && next <= state.committed) continue;
      commits.push({ lane, topic: state.topic, partition: state.partition, offset: next });
    }
    return { generation: this.currentGeneration, commits };
  }

  /** Records that a plan was committed (ignored when the assignment changed meanwhile). */
  committed(plan: CommitPlan): void {
    if (plan.generation !== this.currentGeneration) return;
    for (const commit of plan.commits) {
      const state = this.partitions.get(commit.lane);
      if (state && (state.committed === undefined || commit.offset > state.committed)) state.committed = commit.offset;
    }
  }

  /**
   * Messages not yet handed to the runtime, per partition whose high watermark is known (a
   * partition is known once a fetch returned messages for it in this assignment).
   */
  lag(): { total: number; partitions: Record<string, number> } {
    const partitions: Record<string, number> = {};
    let total = 0;
    for (const [lane, state] of this.partitions) {
      if (state.highWatermark === undefined) continue;
      const next = state.delivered !== undefined ? state.delivered + 1n : state.floor;
      if (next === undefined) continue;
      const lag = state.highWatermark > next ? Number(state.highWatermark - next) : 0;
      partitions[lane] = lag;
      total += lag;
    }
    return { total, partitions };
  }
}
