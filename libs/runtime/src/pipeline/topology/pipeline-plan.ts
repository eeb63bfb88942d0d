import type { PipelineConfig, StageConfig } from '../../config/sluice-config.js';

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

/** One stage in the plan: fed by a channel, or called in-line by the stage before it. */
export interface PlannedStage {
  readonly stage: string;
  readonly plugin: string;
  readonly kind: 'source' | 'transform' | 'sink';
  /** The channel this stage consumes, or null when it runs in-line after the stage before it. */
  readonly input: string | null;
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
 * of a fan-out; on the embedded transport nowhere (one process holds all state). A stage's
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

export function planPipeline(config: PipelineConfig, transport: 'embedded' | 'kafka'): PipelinePlan {
  const ordered: Array<{ stage: StageConfig; kind: PlannedStage['kind'] }> = [
    { stage: config.source, kind: 'source' },
    ...config.transforms.map((stage) => ({ stage, kind: 'transform' as const })),
    { stage: config.sink, kind: 'sink' },
  ];
  const stages: PlannedStage[] = [];
  const channels: PlannedChannel[] = [];
  ordered.forEach(({ stage, kind }, index) => {
    const reason = index === 0 ? null : channelReason(stage, index, config, transport);
    const input = reason === null ? null : channelName(config.name, index);
    if (reason !== null && input !== null) channels.push({ name: input, from: ordered[index - 1].stage.name, to: stage.name, reason });
    stages.push({ stage: stage.name, plugin: stage.plugin, kind, input });
  });
  return { pipeline: config.name, transport, stages, channels };
}

/** Why the stage at `index` needs a channel before it, or null when it runs in-line. */
function channelReason(stage: StageConfig, index: number, config: PipelineConfig, transport: 'embedded' | 'kafka'): ChannelReason | null {
  if (stage.channel) return 'configured';
  if (transport === 'embedded') return null;
  if (index === 1) return 'scale-out';
  if (stage.definition.capabilities?.keyedState) return 'keyed-state';
  if (stage.name === 'sink' && config.routes) return 'fan-out';
  return null;
}
