import type { PluginKind } from './plugin.js';

/**
 * What a plugin's instances can do, declared on its definition so that the runtime can plan a
 * pipeline (where a channel is needed, what can run inline) and the docs can list it, before any
 * instance exists. The runtime checks each instance against what its definition declares.
 */
export interface PluginCapabilities {
  /** Sink: the instance implements `Queryable` (named queries, Grafana). */
  readonly queryable?: boolean;
  /** Sink: the instance implements `TransactionalSink` (source positions committed with the rows). */
  readonly transactional?: boolean;
  /** Source: the instance implements `TriggerableSource` (a job can start a run). */
  readonly triggerable?: boolean;
  /** Source: the external system keeps the positions (a Kafka consumer group); `commit()` stores them there. */
  readonly ownsOffsets?: boolean;
  /**
   * Source: several hosts may run it at once, each reading its own share (a Kafka consumer group).
   * Over Kafka, a source without it runs on one host at a time (the leader), and its checkpoint is
   * kept where the next leader reads it.
   */
  readonly splittable?: boolean;
  /** Transform: keeps nothing between records, so it may run inline anywhere and on any host. */
  readonly stateless?: boolean;
  /** Transform: keeps state per record key, so records of one key must reach the same instance. */
  readonly keyedState?: boolean;
}

export type CapabilityName = keyof PluginCapabilities;

/** Which kinds of plugin each capability applies to. */
export const CAPABILITY_KINDS: Readonly<Record<CapabilityName, readonly PluginKind[]>> = {
  queryable: ['sink'],
  transactional: ['sink'],
  triggerable: ['source'],
  ownsOffsets: ['source'],
  splittable: ['source'],
  stateless: ['transform'],
  keyedState: ['transform'],
};

/** What each capability means, for `sluice plugins` and the generated docs. */
export const CAPABILITY_DOCS: Readonly<Record<CapabilityName, string>> = {
  queryable: 'answers named queries and Grafana',
  transactional: 'commits source positions in the same transaction as its rows',
  triggerable: 'a job can trigger a run',
  ownsOffsets: 'its system keeps the committed positions',
  splittable: 'several hosts read it at once, each its share (otherwise one host at a time over Kafka)',
  stateless: 'keeps no state between records',
  keyedState: 'keeps state per record key',
};

/** The capabilities a definition declares, as names. */
export function declaredCapabilities(capabilities: PluginCapabilities | undefined): CapabilityName[] {
  return (Object.keys(CAPABILITY_KINDS) as CapabilityName[]).filter((name) => capabilities?.[name] === true);
}

/** Problems of a declaration: a capability of another kind, or stateless together with keyedState. */
export function capabilityIssues(kind: PluginKind, capabilities: PluginCapabilities | undefined): string[] {
  const issues: string[] = [];
  for (const name of declaredCapabilities(capabilities)) {
    if (!CAPABILITY_KINDS[name].includes(kind)) issues.push(`capability "${name}" applies to ${CAPABILITY_KINDS[name].join('/')} plugins, not to a ${kind}`);
  }
  if (capabilities?.stateless && capabilities.keyedState) issues.push('a transform cannot be both "stateless" and "keyedState"');
  return issues;
}
