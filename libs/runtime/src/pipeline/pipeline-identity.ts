import { createHash } from 'node:crypto';
import type { PipelineConfig, StageConfig } from '../config/sluice-config.js';

/**
 * A pipeline's stable identity: its name and a hash of what it is made of (each stage's plugin,
 * plugin version and validated config, and the delivery settings). The same file gives the same
 * hash on every host and restart; any change to a stage gives another. Dead letters carry it, so a
 * replay can tell whether the pipeline changed since the record failed.
 */
export interface PipelineIdentity {
  readonly name: string;
  /** 16 hex digits of a SHA-256 over the canonical JSON of the pipeline's resolved config. */
  readonly configHash: string;
}

export function pipelineIdentity(config: PipelineConfig): PipelineIdentity {
  const stage = (s: StageConfig) => ({ name: s.name, plugin: s.plugin, version: s.definition.version, config: s.config });
  const shape = {
    name: config.name,
    source: stage(config.source),
    transforms: config.transforms.map(stage),
    sink: config.routes ? undefined : stage(config.sink),
    routes: config.routes?.map((route) => ({ name: route.name, when: route.when, transforms: route.transforms.map(stage), sink: stage(route.sink) })),
    unrouted: config.unrouted,
    deadLetter: stage(config.deadLetter),
    batch: config.batch,
    retry: config.retry,
    maxInFlight: config.maxInFlight,
  };
  return { name: config.name, configHash: createHash('sha256').update(canonicalJson(shape)).digest('hex').slice(0, 16) };
}

/** JSON with object keys sorted at every level, so that equal configs hash equally. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    return Object.fromEntries(Object.keys(item).sort().map((key) => [key, (item as Record<string, unknown>)[key]]));
  });
}
