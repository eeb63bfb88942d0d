import { invalidRecord } from '@sluice/sdk';
import { addValue, emptyTotals, recomputeExtremes, removeValue, savedTotals, totalSum, type MetricTotals } from './metric-totals.js';
import type { ElementContribution, GroupValue, RecordContribution } from './record-contribution.js';

/** Tumbling windows, resolved (allowedLatenessMs defaulted). */
export interface WindowSpec {
  readonly sizeMs: number;
  readonly allowedLatenessMs: number;
}

/** What the state needs to know of the config. */
export interface AggregateStateOptions {
  /** Number of metrics (each group keeps their totals in config order). */
  readonly metrics: number;
  /** Number of groupBy fields. */
  readonly groupFields: number;
  /** Whether entities are tracked (`distinct`). */
  readonly distinct: boolean;
  readonly window: WindowSpec | undefined;
  readonly maxGroups: number;
}

/** A window's bounds, epoch ms: [start, end). */
export interface WindowBounds {
  readonly start: number;
  readonly end: number;
}

/** The metric values of the elements an entity brought to one group. */
type MemberValues = ReadonlyArray<ReadonlyArray<number | null>>;

/** One aggregate: the group values, the window (when windowed) and the running totals. */
export interface Group {
  /** Identity inside the state: the window start and the group values as JSON. */
  readonly id: string;
  /** The output record key: group values joined with `|`, then the window start. */
  readonly key: string;
  readonly values: readonly GroupValue[];
  readonly window: WindowBounds | undefined;
  /** Per metric, in config order. */
  readonly totals: MetricTotals[];
  /** With `distinct`: entity → what it contributed here. */
  readonly members: Map<string, MemberValues> | undefined;
}

/** The groups of one window (or of all time, without windows) and, with `distinct`, its entities. */
interface Scope {
  readonly start: number | null;
  readonly groups: Map<string, Group>;
  /** Entity → ids of the groups it contributed to. */
  readonly entities: Map<string, readonly string[]>;
}

/** One group as saved in the state file. */
interface SavedGroup {
  readonly window: number | null;
  readonly values: GroupValue[];
  /** Per metric: [n, sum, min, max]. */
  readonly totals: Array<[number, number, number | null, number | null]>;
  readonly members?: Array<[string, MemberValues]>;
}

/** The state as saved (JSON). */
export interface StateSnapshot {
  readonly newestWindowEnd: number | null;
  readonly groups: SavedGroup[];
}

/** ISO-8601 text of an epoch-ms time. */
export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** The record key of a group: values joined with `|` (`|` and `\` escaped), then the window start. */
export function groupKey(values: readonly GroupValue[], window: WindowBounds | undefined): string {
  const parts = values.map((value) => String(value).replace(/[\\|]/g, '\\$&'));
  if (window) parts.push(isoTime(window.start));
  return parts.join('|');
}

function groupId(windowStart: number | null, values: readonly GroupValue[]): string {
  return JSON.stringify([windowStart, ...values]);
}

/** Largest |epoch ms| a Date holds. */
const MAX_TIME = 8.64e15;

/**
 * The aggregates of a running `aggregate` transform: groups per window (or one scope without
 * windows), the totals of each group, and with `distinct` every entity's contribution.
 *
 * {@link apply} checks everything that can reject a record (late window, maxGroups) before it
 * changes anything: a dead-lettered record leaves no trace.
 */
export class AggregateState {
  private scopes = new Map<number | null, Scope>();
  private groupCount = 0;
  /** End of the newest window seen: windows ending more than the lateness before it are closed. */
  private newestWindowEnd: number | null = null;
  /** Increases with every change (the transform saves when it differs from the saved one). */
  version = 0;

  constructor(private readonly options: AggregateStateOptions) {}

  /** Groups held, over all windows. */
  get groups(): number {
    return this.groupCount;
  }

  /** Windows open (0 without windows). */
  get windows(): number {
    return this.options.window ? this.scopes.size : 0;
  }

  /**
   * Adds a record's contribution (with `distinct`, after withdrawing the entity's earlier one from
   * the same window) and returns the groups that changed, in order: the record's groups, then
   * those its entity left. A group left by its last entity is returned one last time, then
   * forgotten. Throws a non-retryable record error, without changing anything, for a record of a
   * closed window, an invalid timestamp, or a new group beyond maxGroups.
   */
  apply(contribution: RecordContribution, timestamp: number): Group[] {
    const { entity, elements } = contribution;
    if (elements.length === 0 && entity === undefined) return [];
    const window = this.windowOf(timestamp);
    let newestEnd = this.newestWindowEnd;
    let evicted: Scope[] = [];
    if (window) {
      const lateness = this.options.window!.allowedLatenessMs;
      newestEnd = Math.max(newestEnd ?? window.end, window.end);
      if (newestEnd - window.end > lateness) {
        throw invalidRecord(`late record for closed window [${isoTime(window.start)}, ${isoTime(window.end)})`, {
          timestamp,
          newestWindowEnd: isoTime(newestEnd),
          allowedLatenessMs: lateness,
        });
      }
      const closedBefore = newestEnd - lateness;
      evicted = [...this.scopes.values()].filter((scope) => scope.start! + this.options.window!.sizeMs < closedBefore);
    }
    const start = window?.start ?? null;
    const existing = this.scopes.get(start);
    const incoming = new Map<string, { values: readonly GroupValue[]; elements: ElementContribution[] }>();
    for (const element of elements) {
      const id = groupId(start, element.groupValues);
      const entry = incoming.get(id);
      if (entry) entry.elements.push(element);
      else incoming.set(id, { values: element.groupValues, elements: [element] });
    }
    let created = 0;
    for (const id of incoming.keys()) if (!existing?.groups.has(id)) created++;
    // Groups the entity leaves and was alone in are forgotten below: they make room too.
    let freed = 0;
    if (entity !== undefined && existing) {
      for (const id of existing.entities.get(entity) ?? []) {
        const members = existing.groups.get(id)?.members;
        if (!incoming.has(id) && members?.size === 1 && members.has(entity)) freed++;
      }
    }
    const kept = this.groupCount - freed - evicted.reduce((sum, scope) => sum + scope.groups.size, 0);
    if (created > 0 && kept + created > this.options.maxGroups) {
      const first = [...incoming].find(([id]) => !existing?.groups.has(id))!;
      throw invalidRecord(`maxGroups (${this.options.maxGroups}) reached: the record would create the new group "${groupKey(first[1].values, window)}"`, {
        maxGroups: this.options.maxGroups,
        groups: kept,
      });
    }

    // Nothing can fail from here on.
    this.version++;
    this.newestWindowEnd = newestEnd;
    for (const scope of evicted) {
      this.scopes.delete(scope.start);
      this.groupCount -= scope.groups.size;
    }
    const scope = existing ?? this.openScope(start);
    const left = entity === undefined ? [] : this.withdraw(scope, entity);
    const touched: Group[] = [];
    for (const [id, { values, elements: brought }] of incoming) {
      let group = scope.groups.get(id);
      if (!group) {
        group = this.newGroup(id, values, window);
        scope.groups.set(id, group);
        this.groupCount++;
      }
      const memberValues = brought.map((element) => element.metricValues);
      for (const metricValues of memberValues) this.addValues(group, metricValues);
      if (entity !== undefined) group.members!.set(entity, memberValues);
      touched.push(group);
    }
    if (entity !== undefined) {
      if (incoming.size > 0) scope.entities.set(entity, [...incoming.keys()]);
      else scope.entities.delete(entity);
    }
    for (const group of left) {
      if (incoming.has(group.id)) continue;
      touched.push(group);
      if (group.members!.size === 0) {
        scope.groups.delete(group.id);
        this.groupCount--;
      }
    }
    return touched;
  }

  /** Forgets every group, entity and window; returns how many groups there were. */
  clear(): number {
    const cleared = this.groupCount;
    this.scopes = new Map();
    this.groupCount = 0;
    this.newestWindowEnd = null;
    this.version++;
    return cleared;
  }

  /** The state as JSON data, for the state file. */
  snapshot(): StateSnapshot {
    const groups: SavedGroup[] = [];
    for (const scope of this.scopes.values()) {
      for (const group of scope.groups.values()) {
        groups.push({
          window: scope.start,
          values: [...group.values],
          totals: group.totals.map((t) => [t.n, totalSum(t), t.min, t.max]),
          ...(group.members ? { members: [...group.members] } : {}),
        });
      }
    }
    return { newestWindowEnd: this.newestWindowEnd, groups };
  }

  /**
   * Replaces the state with a saved one. Throws an Error saying what is wrong when `saved` does
   * not have the shape this config produces (the state is then left as it was).
   */
  restore(saved: unknown): void {
    const restored = new AggregateState(this.options);
    const snapshot = saved as Partial<StateSnapshot> | null;
    if (typeof snapshot !== 'object' || snapshot === null || !Array.isArray(snapshot.groups)) throw new Error('no "groups" array');
    const newest = snapshot.newestWindowEnd;
    if (newest !== null && !isFiniteNumber(newest)) throw new Error('"newestWindowEnd" is not a number or null');
    restored.newestWindowEnd = newest;
    snapshot.groups.forEach((saved, index) => restored.restoreGroup(saved, index));
    this.scopes = restored.scopes;
    this.groupCount = restored.groupCount;
    this.newestWindowEnd = restored.newestWindowEnd;
    this.version++;
  }

  private restoreGroup(saved: SavedGroup, index: number): void {
    const where = `groups[${index}]`;
    const spec = this.options.window;
    if (typeof saved !== 'object' || saved === null) throw new Error(`${where} is not an object`);
    if (spec ? !isFiniteNumber(saved.window) : saved.window !== null) throw new Error(`${where}.window does not match the window config`);
    const values = saved.values;
    if (!Array.isArray(values) || values.length !== this.options.groupFields || !values.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) {
      throw new Error(`${where}.values is not ${this.options.groupFields} group value(s)`);
    }
    const totals = saved.totals;
    const validTotals = Array.isArray(totals) && totals.length === this.options.metrics && totals.every((t) => Array.isArray(t) && t.length === 4 && isFiniteNumber(t[0]) && isFiniteNumber(t[1]) && isNumberOrNull(t[2]) && isNumberOrNull(t[3]));
    if (!validTotals) throw new Error(`${where}.totals is not ${this.options.metrics} [n, sum, min, max] entries`);
    if (this.options.distinct !== Array.isArray(saved.members)) throw new Error(`${where}.members ${this.options.distinct ? 'is missing' : 'is unexpected'}`);
    const start = saved.window;
    const window = spec && start !== null ? { start, end: start + spec.sizeMs } : undefined;
    const id = groupId(start, values);
    const scope = this.scopes.get(start) ?? this.openScope(start);
    if (scope.groups.has(id)) throw new Error(`${where} is a duplicate group`);
    const group = this.newGroup(id, values, window);
    // With distinct, the members hold every value: the totals are rebuilt from them (exact sums).
    if (!this.options.distinct) totals.forEach(([n, sum, min, max], metric) => Object.assign(group.totals[metric]!, savedTotals(n, sum, min, max)));
    for (const member of saved.members ?? []) {
      const [entity, contributed] = Array.isArray(member) ? member : [];
      const validMember = typeof entity === 'string' && Array.isArray(contributed) && contributed.every((e) => Array.isArray(e) && e.length === this.options.metrics && e.every(isNumberOrNull));
      if (!validMember || group.members!.has(entity)) throw new Error(`${where}.members holds an invalid entry`);
      group.members!.set(entity, contributed);
      for (const metricValues of contributed) this.addValues(group, metricValues);
      scope.entities.set(entity, [...(scope.entities.get(entity) ?? []), id]);
    }
    scope.groups.set(id, group);
    this.groupCount++;
  }

  private windowOf(timestamp: number): WindowBounds | undefined {
    const spec = this.options.window;
    if (!spec) return undefined;
    const start = Math.floor(timestamp / spec.sizeMs) * spec.sizeMs;
    if (!Number.isFinite(timestamp) || Math.abs(start) > MAX_TIME || Math.abs(start + spec.sizeMs) > MAX_TIME) {
      throw invalidRecord(`the record timestamp ${String(timestamp)} is not a valid time (epoch milliseconds): it cannot be placed in a window`, { timestamp });
    }
    return { start, end: start + spec.sizeMs };
  }

  private openScope(start: number | null): Scope {
    const scope: Scope = { start, groups: new Map(), entities: new Map() };
    this.scopes.set(start, scope);
    return scope;
  }

  private newGroup(id: string, values: readonly GroupValue[], window: WindowBounds | undefined): Group {
    return {
      id,
      key: groupKey(values, window),
      values,
      window,
      totals: Array.from({ length: this.options.metrics }, emptyTotals),
      members: this.options.distinct ? new Map() : undefined,
    };
  }

  private addValues(group: Group, metricValues: ReadonlyArray<number | null>): void {
    metricValues.forEach((value, metric) => {
      if (value !== null) addValue(group.totals[metric]!, value);
    });
  }

  /** Takes an entity's contribution out of every group of the scope; returns those groups. */
  private withdraw(scope: Scope, entity: string): Group[] {
    const groups: Group[] = [];
    for (const id of scope.entities.get(entity) ?? []) {
      const group = scope.groups.get(id);
      const contributed = group?.members!.get(entity);
      if (!group || !contributed) continue;
      group.members!.delete(entity);
      const stale = new Set<number>();
      for (const metricValues of contributed) {
        metricValues.forEach((value, metric) => {
          if (value !== null && removeValue(group.totals[metric]!, value)) stale.add(metric);
        });
      }
      for (const metric of stale) recomputeExtremes(group.totals[metric]!, memberValues(group, metric));
      groups.push(group);
    }
    scope.entities.delete(entity);
    return groups;
  }
}

function* memberValues(group: Group, metric: number): Generator<number> {
  for (const contributed of group.members!.values()) {
    for (const metricValues of contributed) {
      const value = metricValues[metric];
      if (value !== null && value !== undefined) yield value;
    }
  }
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isNumberOrNull(value: unknown): value is number | null {
  return value === null || isFiniteNumber(value);
}
