import {
  describeError,
  withValue,
  type HealthReport,
  type PluginAction,
  type PluginActions,
  type PluginContext,
  type PluginLogger,
  type KeyedStateTransform,
  type SluiceRecord,
  type StateShare,
  type TransformOutput,
} from '@sluice/sdk';
import type { AggregateConfig } from './aggregate.config.js';
import { AggregateState, groupKey, isoTime, type Group } from './aggregate-state.js';
import { metricResult } from './metric-totals.js';
import { ContributionReader, type CompiledMetric, type RecordContribution } from './record-contribution.js';
import { StateSaver } from './state-saver.js';
import { configFingerprint, stateFilePath } from './state-file.js';

/** The wall clock (epoch ms) used for `updatedAtField`; tests pass their own. */
export type WallClock = () => number;

/**
 * Continuous aggregates by key: every record updates the groups its elements belong to, and the
 * transform emits each group it changed as an upsert (key = the group), with the group's current
 * count/sum/avg/min/max. Optional tumbling windows, distinct entities, and a state that survives
 * restarts (see {@link StateSaver}).
 *
 * Its state keys are the groups (their values, without the window): over Kafka each partition of
 * the repartition channel has an instance holding its groups, fed one share of a record per group
 * (see `KeyedStateTransform`), its state snapshotted by the runtime rather than to a file.
 */
export class AggregateTransform implements KeyedStateTransform, PluginActions {
  readonly actions: Readonly<Record<string, PluginAction>>;
  private readonly reader: ContributionReader;
  private readonly state: AggregateState;
  private readonly saver: StateSaver | undefined;
  private readonly groupFields: readonly string[];
  private readonly metrics: readonly CompiledMetric[];
  private readonly logger: PluginLogger;
  private readonly fingerprint: string;

  constructor(
    private readonly config: AggregateConfig,
    context: PluginContext,
    private readonly clock: WallClock = Date.now,
  ) {
    this.logger = context.logger;
    this.reader = new ContributionReader(config);
    this.metrics = this.reader.metrics;
    this.groupFields = Object.keys(config.groupBy);
    const window = config.window ? { sizeMs: config.window.sizeMs, allowedLatenessMs: config.window.allowedLatenessMs ?? config.window.sizeMs } : undefined;
    this.state = new AggregateState({
      metrics: this.metrics.length,
      groupFields: this.groupFields.length,
      distinct: config.distinct !== undefined,
      window,
      maxGroups: config.maxGroups,
    });
    this.fingerprint = configFingerprint(config);
    // With a managed state the runtime snapshots it (per partition); a file of this process's would be stale.
    this.saver =
      config.persistState && !context.stateManaged
        ? new StateSaver(stateFilePath(context.dataDir, context.pipeline, context.stage), this.state, this.fingerprint, config.snapshotIntervalMs, context.logger)
        : undefined;
    this.actions = {
      reset: {
        description: 'Forgets every group, distinct entity and window, and deletes the state file; returns how many groups were cleared.',
        run: async () => {
          const groups = this.state.clear();
          await this.saver?.remove();
          return { groups };
        },
      },
      snapshot: {
        description: 'Saves the state file now (it is otherwise saved every snapshotIntervalMs after changes and on stop); returns the groups saved and the file.',
        run: async () => {
          if (!this.saver) throw new Error('persistState is false: this stage keeps no state file');
          await this.saver.save();
          return { groups: this.state.groups, file: this.saver.file };
        },
      },
    };
  }

  async start(): Promise<void> {
    await this.saver?.load();
  }

  process(record: SluiceRecord): TransformOutput | Promise<TransformOutput> {
    const contribution = this.reader.read(record);
    return contribution instanceof Promise ? contribution.then((read) => this.emit(record, read, true)) : this.emit(record, contribution, true);
  }

  /** The groups the record counts in (their values joined as in the output key, no window). */
  stateKeys(record: SluiceRecord): readonly string[] | Promise<readonly string[]> {
    const contribution = this.reader.read(record);
    return contribution instanceof Promise ? contribution.then(stateKeysOf) : stateKeysOf(contribution);
  }

  /**
   * Applies only the elements of group `share.key`. The entity (with `distinct`) counts per group
   * here: its earlier contribution to this group is replaced, and the instances of its other groups
   * do the same with their shares. (One limit against a single instance: an entity whose new
   * record no longer has a group it had stays counted there, as no share reaches that group.)
   */
  processShare(record: SluiceRecord, share: StateShare): TransformOutput | Promise<TransformOutput> {
    const contribution = this.reader.read(record);
    const ofShare = (read: RecordContribution): RecordContribution => ({
      entity: read.entity === undefined ? undefined : `${read.entity}\u001f${share.key}`,
      elements: read.elements.filter((element) => groupKey(element.groupValues, undefined) === share.key),
    });
    return contribution instanceof Promise
      ? contribution.then((read) => this.emit(record, ofShare(read), share.primary))
      : this.emit(record, ofShare(contribution), share.primary);
  }

  /** The state with the fingerprint of the config that made it (for the runtime's changelog). */
  snapshotState(): unknown {
    return { fingerprint: this.fingerprint, ...this.state.snapshot() };
  }

  /** Restores a {@link snapshotState}; refuses one made under another groupBy/each/metrics/distinct/window. */
  restoreState(saved: unknown): void {
    const fingerprint = (saved as { fingerprint?: unknown } | null)?.fingerprint;
    if (fingerprint !== this.fingerprint) throw new Error('the saved aggregate state was made for another groupBy/each/metrics/distinct/window config');
    this.state.restore(saved);
  }

  /**
   * With `saveBeforeAck`: saves the state when it changed since the last save, before the runtime
   * acknowledges the batch that changed it. A failure refuses the batch (it is delivered again).
   */
  async flush(): Promise<void> {
    if (!this.saver || !this.config.saveBeforeAck || !this.saver.dirty) return;
    await this.saver.save();
  }

  /** Saves the state; a failure to save is logged (the records are safe upstream), not thrown. */
  async stop(): Promise<void> {
    if (!this.saver) return;
    try {
      await this.saver.save();
    } catch (error) {
      this.logger.error({ file: this.saver.file, err: describeError(error) }, 'cannot save the aggregate state on stop; the changes since the last save are lost');
    }
  }

  health(): HealthReport {
    return {
      status: 'up',
      details: {
        groups: this.state.groups,
        maxGroups: this.config.maxGroups,
        windowsOpen: this.state.windows,
        ...(this.saver ? { stateFile: this.saver.file, lastSavedAt: this.saver.lastSavedAt } : {}),
      },
    };
  }

  /** Applies the contribution (all or nothing) and builds the output records (the record first with passThrough, when `passOn`). */
  private emit(record: SluiceRecord, contribution: RecordContribution, passOn: boolean): SluiceRecord[] {
    const touched = this.state.apply(contribution, record.timestamp);
    if (!this.config.saveBeforeAck) this.saver?.changed();
    const updatedAt = this.config.updatedAtField === '' ? undefined : isoTime(this.clock());
    const outputs: SluiceRecord[] = touched.map((group) => withValue(record, this.valueOf(group, updatedAt), { key: group.key }));
    if (this.config.passThrough && passOn) outputs.unshift(record);
    return outputs;
  }

  /** `{ ...group fields, [window fields], ...metrics, [updatedAtField] }` */
  private valueOf(group: Group, updatedAt: string | undefined): Record<string, unknown> {
    const value: Record<string, unknown> = {};
    this.groupFields.forEach((name, index) => (value[name] = group.values[index]));
    if (group.window) {
      value[this.config.windowStartField] = isoTime(group.window.start);
      value[this.config.windowEndField] = isoTime(group.window.end);
    }
    this.metrics.forEach((metric, index) => (value[metric.name] = metricResult(metric.fn, group.totals[index]!)));
    if (updatedAt !== undefined) value[this.config.updatedAtField] = updatedAt;
    return value;
  }
}

/** The distinct group keys (no window) of a contribution's elements, in order. */
function stateKeysOf(contribution: RecordContribution): string[] {
  return [...new Set(contribution.elements.map((element) => groupKey(element.groupValues, undefined)))];
}
