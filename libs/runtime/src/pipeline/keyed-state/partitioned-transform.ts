import { describeError, type HealthReport, type KeyedStateTransform, type PluginLogger, type SluiceRecord, type Transform, type TransformOutput } from '@sluice/sdk';
import { channelPositionOf, type StateChangelog } from '#transports';
import { readShare } from './state-share-header.js';

/** One partition's instance of the stage's transform and how far its state goes. */
interface PartitionState {
  readonly instance: KeyedStateTransform;
  /** Started and restored. */
  ready: Promise<void>;
  /** Records at or before this channel offset are in the state (restored or flushed): a replay of them is skipped. */
  covered: bigint | null;
  /** The last channel offset processed. */
  last: bigint | null;
  /** Records were processed since the last flush. */
  dirty: boolean;
}

/** What a changelog entry holds: the partition's state and the channel offset it covers. */
interface SavedPartition {
  readonly offset: string;
  readonly state: unknown;
}

export interface PartitionedTransformOptions {
  /** A new instance of the stage's plugin, its state managed by the runtime. */
  readonly create: () => KeyedStateTransform;
  readonly changelog: StateChangelog;
  readonly logger: PluginLogger;
}

/**
 * A keyed-state stage over a partitioned channel: one instance of the plugin per partition the host
 * consumes, its state written to the changelog (under the partition number, with the last channel
 * offset it covers) before each batch is acknowledged, and read back by whichever host gets the
 * partition next. Records whose offset the restored state already covers are skipped, so a replay
 * after a crash or a rebalance (the group re-delivers from the last committed offset, which may be
 * older than the state) counts nothing twice: the offsets are stored with the state.
 *
 * Relies on its channel's consumer handing it one batch at a time (the next only once the last was
 * acknowledged), and on {@link beginBatch} before each: a batch that was not acknowledged leaves
 * changes in the instances that the changelog does not have, so they are dropped and restored.
 */
export class PartitionedTransform implements Transform {
  /** An instance that is never started, for the stage before the channel to read state keys with. */
  readonly keyer: KeyedStateTransform;
  private readonly partitions = new Map<number, PartitionState>();
  private readonly stopped = new AbortController();
  /** Bumped by every assignment; instances from an older one are dropped at the next batch. */
  private generation = 0;
  private instancesGeneration = 0;
  private assigned: ReadonlySet<number> | null = null;
  private replaysSkipped = 0;

  constructor(private readonly options: PartitionedTransformOptions) {
    this.keyer = options.create();
  }

  async start(): Promise<void> {
    await this.options.changelog.start();
  }

  /** The group gave this host `partitions` of the channel. */
  onAssignment(partitions: readonly number[]): void {
    this.generation++;
    this.assigned = new Set(partitions);
  }

  /**
   * Before each batch: after a new assignment, or when the last batch was not acknowledged (it
   * left unflushed changes), the instances go; each partition is restored from the changelog again
   * as its records come.
   */
  async beginBatch(): Promise<void> {
    const unflushed = [...this.partitions.values()].some((partition) => partition.dirty);
    if (this.instancesGeneration === this.generation && !unflushed) return;
    await this.dropInstances();
    this.instancesGeneration = this.generation;
  }

  async process(record: SluiceRecord, signal?: AbortSignal): Promise<TransformOutput> {
    const position = channelPositionOf(record);
    if (!position) throw new Error('a keyed-state stage over Kafka got a record that was not read from its channel');
    const partition = this.partition(position.partition);
    await partition.ready;
    const offset = BigInt(position.offset);
    if (partition.covered !== null && offset <= partition.covered) {
      this.replaysSkipped++;
      return null;
    }
    if (partition.last === null || offset > partition.last) partition.last = offset;
    partition.dirty = true;
    const { record: own, share } = readShare(record);
    return share ? partition.instance.processShare(own, share, signal) : partition.instance.process(own, signal);
  }

  /**
   * Makes each changed partition's state durable: the instance's own flush, then its snapshot and
   * last offset to the changelog. A partition the group has meanwhile given to another host is not
   * written (its new owner restored it and re-reads what this batch held).
   */
  async flush(): Promise<void> {
    for (const [number, partition] of this.partitions) {
      if (!partition.dirty) continue;
      await partition.instance.flush?.();
      if (partition.instance.snapshotState && (this.assigned === null || this.assigned.has(number))) {
        const saved: SavedPartition = { offset: String(partition.last), state: partition.instance.snapshotState() };
        await this.options.changelog.write(String(number), JSON.stringify(saved));
      }
      partition.covered = partition.last;
      partition.dirty = false;
    }
  }

  async stop(): Promise<void> {
    this.stopped.abort();
    await this.dropInstances();
    await this.options.changelog.stop();
  }

  async health(): Promise<HealthReport> {
    const partitions: Record<string, unknown> = {};
    for (const [number, partition] of this.partitions) {
      partitions[number] = (await partition.instance.health?.())?.details ?? {};
    }
    return { status: 'up', details: { changelog: this.options.changelog.name, partitions, replaysSkipped: this.replaysSkipped } };
  }

  /** The partition's instance, created and restored on its first record. */
  private partition(number: number): PartitionState {
    const known = this.partitions.get(number);
    if (known) return known;
    const partition: PartitionState = { instance: this.options.create(), ready: Promise.resolve(), covered: null, last: null, dirty: false };
    partition.ready = this.restore(number, partition).catch((error: unknown) => {
      // Not restored (stopping, or the instance would not start): the next record tries anew.
      this.partitions.delete(number);
      throw error;
    });
    this.partitions.set(number, partition);
    return partition;
  }

  private async restore(number: number, partition: PartitionState): Promise<void> {
    const { instance } = partition;
    await instance.start?.();
    if (!instance.restoreState) return;
    const text = await this.options.changelog.read(String(number), this.stopped.signal);
    if (text === undefined) return;
    try {
      const saved = JSON.parse(text) as SavedPartition;
      instance.restoreState(saved.state);
      partition.covered = BigInt(saved.offset);
      partition.last = partition.covered;
      this.options.logger.info({ partition: number, offset: saved.offset, changelog: this.options.changelog.name }, 'keyed state restored from the changelog');
    } catch (error) {
      this.options.logger.warn({ partition: number, changelog: this.options.changelog.name, err: describeError(error) }, 'the saved state of this partition cannot be restored; starting it empty');
    }
  }

  private async dropInstances(): Promise<void> {
    const dropped = [...this.partitions.values()];
    this.partitions.clear();
    for (const partition of dropped) {
      await partition.ready.catch(() => undefined);
      await partition.instance.stop?.();
    }
  }
}
