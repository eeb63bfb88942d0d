import type { PipelineConfig, StageConfig } from '../../config/sluice-config.js';
import { FAN_OUT_PLUGIN, FAN_OUT_STAGE } from '../fan-out/fan-out-monitor.js';

/** Why a channel (a Kafka topic, an embedded bus hop) separates two stages. */
export type ChannelReason =
  /** After the source: the records are spread over the hosts of the consumer group. */
  | 'scale-out'
  /** Before a transform that keeps state per key: records of one key must reach one instance. */
  | 'keyed-state'
  /** Before the routes of a fan-out. */
  | 'fan-out'
  /** The config asks for one (`channel: true` on the stage). */
  | 'configured';

/**
 * One stage in the plan: fed by a channel, or called in-line by the stage before it. The stages
 * of a route follow the fan-out, each route's in order, with the route's name.
 */
export interface PlannedStage {
  readonly stage: string;
  readonly plugin: string;
  /** `fan-out`: the runtime's own last stage of a pipeline with routes (stage `routes`). */
  readonly kind: 'source' | 'transform' | 'sink' | 'fan-out';
  /** The channel this stage consumes, or null when it runs in-line after the stage before it. */
  readonly input: string | null;
  /** The route the stage belongs to; absent on the main chain. */
  readonly route?: string;
}

export interface PlannedChannel {
  readonly name: string;
  /** The stage that publishes to it and the one that consumes it. */
  readonly from: string;
  readonly to: string;
  readonly reason: ChannelReason;
}

/**
 * What a pipeline becomes on a transport: its stages in order and the channels between them.
 * Stages between two channels run fused, in one chain, with the in-flight bound as backpressure.
 * A channel exists only where the topology needs one: on Kafka after the source (the scale-out
 * boundary, as Kafka Connect has it), before a transform with keyed state and before the routes
 * of a fan-out (and inside a route, before a transform with keyed state); on the embedded transport
 * nowhere (one process holds all state). A stage's
 * `channel: true` forces one before it on either transport.
 */
export interface PipelinePlan {
  readonly pipeline: string;
  readonly transport: string;
  readonly stages: readonly PlannedStage[];
  readonly channels: readonly PlannedChannel[];
}

/** The channel consumed by the stage at `index` (1 = the first after the source). */
export function channelName(pipeline: string, index: number): string {
  return `${pipeline}.stage-${index}`;
}

/** The channel consumed by transform `index` of route `route` (a keyed-state transform on Kafka). */
export function routeChannelName(pipeline: string, route: string, index: number): string {
  return `${pipeline}.routes.${route}.transforms-${index}`;
}

/** A stage of the main chain: a plugin's, or the fan-out (no plugin, no config of its own). */
type ChainStage = { readonly kind: 'source' | 'transform' | 'sink'; readonly stage: StageConfig } | { readonly kind: 'fan-out' };

const stageName = (chained: ChainStage) => (chained.kind === 'fan-out' ? FAN_OUT_STAGE : chained.stage.name);

export function planPipeline(config: PipelineConfig, transport: 'embedded' | 'kafka'): PipelinePlan {
  const ordered: ChainStage[] = [
    { stage: config.source, kind: 'source' },
    ...config.transforms.map((stage) => ({ stage, kind: 'transform' as const })),
    config.routes ? { kind: 'fan-out' } : { stage: config.sink, kind: 'sink' },
  ];
  const stages: PlannedStage[] = [];
  const channels: PlannedChannel[] = [];
  ordered.forEach((chained, index) => {
    const reason = index === 0 ? null : channelReason(chained, index, transport);
    const input = reason === null ? null : channelName(config.name, index);
    if (reason !== null && input !== null) channels.push({ name: input, from: stageName(ordered[index - 1]), to: stageName(chained), reason });
    const plugin = chained.kind === 'fan-out' ? FAN_OUT_PLUGIN : chained.stage.plugin;
    stages.push({ stage: stageName(chained), plugin, kind: chained.kind, input });
  });
  // The stages of a route run in-line after the fan-out (the config refuses `channel: true` inside
  // a route), but for a keyed-state transform on Kafka, which gets its repartition channel.
  for (const route of config.routes ?? []) {
    route.transforms.forEach((stage, index) => {
      const keyed = transport === 'kafka' && stage.definition.capabilities?.keyedState === true;
      const input = keyed ? routeChannelName(config.name, route.name, index) : null;
      if (input !== null) channels.push({ name: input, from: index === 0 ? FAN_OUT_STAGE : route.transforms[index - 1]!.name, to: stage.name, reason: 'keyed-state' });
      stages.push({ stage: stage.name, plugin: stage.plugin, kind: 'transform', input, route: route.name });
    });
    stages.push({ stage: route.sink.name, plugin: route.sink.plugin, kind: 'sink', input: null, route: route.name });
  }
  return { pipeline: config.name, transport, stages, channels };
}

/** Why the stage at `index` of the main chain needs a channel before it, or null when it runs in-line. */
function channelReason(chained: ChainStage, index: number, transport: 'embedded' | 'kafka'): ChannelReason | null {
  if (chained.kind !== 'fan-out' && chained.stage.channel) return 'configured';
  if (transport === 'embedded') return null;
  if (index === 1) return 'scale-out';
  if (chained.kind === 'fan-out') return 'fan-out';
  if (chained.stage.definition.capabilities?.keyedState) return 'keyed-state';
  return null;
}
