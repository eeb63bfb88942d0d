import {
  describeError,
  isQueryable,
  retry,
  type HealthReport,
  type KeyedStateTransform,
  type PluginContext,
  type PluginLogger,
  type Queryable,
  type Sink,
  type Source,
  type Transform,
} from '@sluice/sdk';
import type { BatchHandler, ChannelTransport, Leadership, StateChangelog } from '#transports';
import type { Logger } from 'pino';
import type { PipelineConfig, RouteConfig, RoutedPipelineConfig, StageConfig } from '../config/sluice-config.js';
import { CheckpointStore } from '../delivery/checkpoint-store.js';
import { codecSetFor, stageCodecs } from '../plugins/plugin-codecs.js';
import { LatencySamples } from '../metrics/latency-samples.js';
import type { RuntimeMetrics } from '../metrics/runtime-metrics.js';
import { DeadLetterQueue } from './dead-letter-queue.js';
import { SinkRunner } from './sink-runner.js';
import { SourceRunner } from './source-runner.js';
import { StageMonitor, type StageSnapshot } from './stage-monitor.js';
import { TransformRunner } from './transform-runner.js';
import { PluginStage } from './plugin-stage.js';
import { planPipeline, type PipelinePlan, type PlannedChannel, type PlannedStage } from './topology/pipeline-plan.js';
import { channelOutlet, directOutlet, type StageInlet, type StageOutlet } from './topology/stage-link.js';
import { chainTransforms, type StageRunnerFactory } from './topology/stage-chain.js';
import { FanOutMonitor, FAN_OUT_PLUGIN, FAN_OUT_STAGE } from './fan-out/fan-out-monitor.js';
import { FanOutNode } from './fan-out/fan-out-node.js';
import { RouteChain, type RouteLinks } from './fan-out/route-chain.js';
import { RoutedQueryable } from './fan-out/routed-queryable.js';
import { untilStopped } from './until-stopped.js';
import { pipelineIdentity, type PipelineIdentity } from './pipeline-identity.js';
import { missingCapabilities } from '../plugins/capability-check.js';
import { PartitionedTransform } from './keyed-state/partitioned-transform.js';
import { keyedOutlet } from './keyed-state/keyed-outlet.js';

export interface PipelineEnvironment {
  readonly transport: ChannelTransport;
  readonly dataDir: string;
  readonly configDir: string;
  readonly logger: Logger;
  readonly metrics: RuntimeMetrics;
  /** Consumer-group prefix (Kafka: hosts with the same prefix share the work). */
  readonly groupPrefix?: string;
  /**
   * The lead among the hosts running this config (owned by the runtime): over Kafka a source that
   * cannot be split reads only on the leader. Absent: this host runs every source.
   */
  readonly leadership?: Leadership;
}

/** A pipeline's state, from its stages': `starting` until all started, `degraded` while one is. */
export type PipelineState = 'starting' | 'running' | 'degraded' | 'finished' | 'failed' | 'stopping' | 'stopped';

export interface PipelineStatus {
  readonly name: string;
  /** Hash of the pipeline's resolved config: the same on every host running the same file. */
  readonly configHash: string;
  readonly state: PipelineState;
  /** The channels between its stages (see {@link PipelinePlan}); none: the pipeline runs as one fused chain. */
  readonly channels: readonly PlannedChannel[];
  /** Why it `failed`. */
  readonly error?: string;
  readonly ready: boolean;
  readonly recordsInFlight: number;
  readonly checkpoint: Record<string, unknown>;
  readonly latencyMs: { readonly p50: number | null; readonly p99: number | null };
  readonly stages: readonly StageSnapshot[];
}

interface PluginHealthSource {
  readonly stage: string;
  readonly plugin: string;
  readonly monitor: StageMonitor;
  readonly instance: Source | Transform | Sink;
}

/** The last stage of the main chain: the sink's runner, or the fan-out to the routes. */
type LastStage = Pick<SinkRunner, 'start' | 'stop' | 'handle' | 'startFailed'>;

/**
 * One running pipeline: source → transforms → sink, each stage consuming the channel its upstream
 * publishes to (`<pipeline>.stage-<n>`), plus the dead-letter destination. With routes the main
 * chain ends in a fan-out instead of the sink, and each route is a chain of its own (its
 * transforms, its sink) run in-line after it. Starts downstream first so that nothing is published
 * before its consumer is ready; stops upstream first so that the records in flight drain into the
 * sinks before they close.
 */
export class Pipeline {
  private readonly monitors: StageMonitor[] = [];
  private readonly plugins: PluginHealthSource[] = [];
  private readonly recordLatency = new LatencySamples(8192);
  private readonly contexts = new Map<string, PluginContext>();
  /** The keyed-state stages over a partitioned channel, by that channel. */
  private readonly partitioned = new Map<string, PartitionedTransform>();
  private sourceRunner!: SourceRunner;
  private transformRunners: TransformRunner[] = [];
  private lastStage!: LastStage;
  private deadLetterStage!: PluginStage<Sink>;
  private deadLetterMonitor!: StageMonitor;
  private deadLetters!: DeadLetterQueue;
  private checkpoints!: CheckpointStore;
  /** Over Kafka, for a source that is not splittable: the hosts' lead (it runs on the leader) and where its checkpoint is shared. */
  private sourceLease: { readonly leadership: Leadership; readonly checkpoints: StateChangelog } | null = null;
  /** What queries read: the sink, or the route sinks; null when none of them can be queried. */
  private queryableSinks: Queryable | null = null;
  /** Aborted on stop: starts still retrying give up. */
  private readonly lifecycle = new AbortController();
  private starting: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;
  private sourceStarted = false;
  /** Why the pipeline could not be built (a plugin's create() threw), when it could not. */
  private startError: unknown;
  /** Name and config hash: stable across hosts and restarts for the same config. */
  readonly identity: PipelineIdentity;
  /** The stages and the channels between them on this transport (stages between channels run fused). */
  readonly plan: PipelinePlan;

  constructor(
    readonly config: PipelineConfig,
    private readonly env: PipelineEnvironment,
  ) {
    this.identity = pipelineIdentity(config);
    this.plan = planPipeline(config, env.transport.kind === 'kafka' ? 'kafka' : 'embedded');
  }

  get name(): string {
    return this.config.name;
  }

  /** The context of a stage's plugin, built once per stage (its runner logs with the same logger). */
  private context(stage: StageConfig): PluginContext {
    const known = this.contexts.get(stage.name);
    if (known) return known;
    const logger = this.env.logger.child({ pipeline: this.config.name, stage: stage.name, plugin: stage.plugin }) as unknown as PluginLogger;
    const context: PluginContext = {
      pipeline: this.config.name,
      stage: stage.name,
      logger,
      configDir: this.env.configDir,
      dataDir: this.env.dataDir,
      codecs: codecSetFor(stageCodecs(stage, this.config.source), this.env.configDir, logger),
    };
    this.contexts.set(stage.name, context);
    return context;
  }

  private monitor(stage: StageConfig): StageMonitor {
    return this.watch(new StageMonitor(this.config.name, stage.name, stage.plugin, stage.definition.kind));
  }

  /** Counts `monitor` among the pipeline's stages: its state, status and metrics. */
  private watch<M extends StageMonitor>(monitor: M): M {
    this.monitors.push(monitor);
    this.env.metrics.watch(monitor);
    return monitor;
  }

  /**
   * Creates every stage's plugin instance at once (so jobs and the API see them), then starts the
   * stages, sink first. Each plugin start is bounded by its `startTimeoutMs` and retried with
   * backoff until it succeeds or the pipeline stops: a stage that cannot start shows
   * `starting`/`restarting` with its error, and holds up only its own pipeline.
   * Resolves once the source runs; rejects when stopped before that.
   */
  start(): Promise<void> {
    this.starting ??= this.startStages().catch((error: unknown) => {
      this.startError = error;
      throw error;
    });
    return this.starting;
  }

  private async startStages(): Promise<void> {
    const { config, env } = this;
    const signal = this.lifecycle.signal;
    this.createStages();
    await this.deadLetterStage.start(signal);
    this.deadLetterMonitor.transition('running');
    await retry(
      async () => {
        for (const channel of this.plan.channels) await env.transport.ensureChannel({ name: channel.name, ...config.channels });
      },
      untilStopped(config.restart, signal, (error, attempt) => this.lastStage.startFailed(error, attempt, 'creating the channels failed; retrying')),
    );
    await this.lastStage.start(signal);
    for (let i = this.transformRunners.length - 1; i >= 0; i--) await this.transformRunners[i].start(signal);
    if (signal.aborted) throw new Error(`pipeline "${config.name}" stopped while starting`);
    const lease = this.sourceLease;
    if (lease) {
      await retry(
        () => lease.checkpoints.start(),
        untilStopped(config.restart, signal, (error, attempt) => this.lastStage.startFailed(error, attempt, 'reading the shared checkpoints failed; retrying')),
      );
    }
    env.metrics.watchInFlight(config.name, () => this.sourceRunner.recordsInFlight);
    this.sourceRunner.start();
    this.sourceStarted = true;
  }

  /** Builds the plugin instances and their runners (nothing runs yet). */
  private createStages(): void {
    const { config, env, plan } = this;
    const planned = new Map(plan.stages.map((stage) => [stage.stage, stage]));
    const groupOf = (name: string) => `${env.groupPrefix ?? 'sluice'}.${config.name}.${name}`;
    const inletOf = (stage: PlannedStage | undefined, group: string): StageInlet =>
      stage?.input ? { kind: 'channel', transport: env.transport, channel: stage.input, group: groupOf(group) } : { kind: 'direct' };
    // How the stage before `stage` reaches it: its channel (a keyed-state stage's repartitions by
    // state key), or a direct call of `handler`.
    const outletTo = (stage: PlannedStage | undefined, handler: BatchHandler): StageOutlet => {
      const channel = stage?.input;
      if (!channel) return directOutlet(handler);
      const keyed = this.partitioned.get(channel);
      return keyed ? keyedOutlet(env.transport, channel, keyed.keyer) : channelOutlet(env.transport, channel);
    };
    const inlet = (index: number, group: string) => inletOf(plan.stages[index], group);
    const outlet = (index: number, handler: BatchHandler) => outletTo(plan.stages[index], handler);

    this.deadLetterMonitor = this.monitor(config.deadLetter);
    const deadLetterSink = this.instantiate<Sink>(config.deadLetter, this.deadLetterMonitor);
    this.deadLetterStage = new PluginStage(deadLetterSink, config.deadLetter, this.deadLetterMonitor, config.restart, this.context(config.deadLetter).logger);
    this.deadLetters = new DeadLetterQueue(this.identity, deadLetterSink, config.retry, this.deadLetterMonitor, config.deadLetter.timeouts.writeMs);

    const runners: StageRunnerFactory = {
      transformRunner: (stage, stageInlet, stageOutlet) => this.transformRunner(stage, stageInlet, stageOutlet),
      sinkRunner: (stage, stageInlet) => this.sinkRunner(stage, stageInlet),
    };
    const transforms = config.transforms;
    const lastIndex = transforms.length + 1;
    // The fan-out consumes under the group name it had as the `sink` stage: Kafka offsets carry over.
    const lastInlet = inlet(lastIndex, 'sink');
    let lastStage: LastStage;
    if (config.routes) {
      const logger = env.logger.child({ pipeline: config.name, stage: FAN_OUT_STAGE, plugin: FAN_OUT_PLUGIN }) as unknown as PluginLogger;
      const routeLinks = (route: RouteConfig) => ({
        link: (index: number, next: BatchHandler) => {
          const stage = planned.get(route.transforms[index]!.name);
          return { inlet: inletOf(stage, stage?.stage ?? ''), outlet: outletTo(planned.get(route.transforms[index + 1]?.name ?? ''), next) };
        },
        entry: (first: BatchHandler) => outletTo(planned.get(route.transforms[0]?.name ?? ''), first),
      });
      lastStage = this.fanOut(config, lastInlet, runners, routeLinks, logger);
      this.queryableSinks = RoutedQueryable.over(config.routes.map((route) => this.stageInstance(route.sink.name)), logger);
    } else {
      lastStage = runners.sinkRunner(config.sink, lastInlet);
      const sink = this.stageInstance(config.sink.name);
      this.queryableSinks = isQueryable(sink) ? sink : null;
    }
    this.lastStage = lastStage;

    const chain = chainTransforms(
      transforms,
      (records) => lastStage.handle(records),
      (i, next) => ({ inlet: inlet(i + 1, transforms[i].name), outlet: outlet(i + 2, next) }),
      runners,
    );
    this.transformRunners = chain.runners;

    const sourceMonitor = this.monitor(config.source);
    const source = this.instantiate<Source>(config.source, sourceMonitor);
    // Over Kafka every host runs the pipeline; a source that cannot be split runs on the leader.
    if (env.transport.kind === 'kafka' && env.leadership && !config.source.definition.capabilities?.splittable) {
      this.sourceLease = { leadership: env.leadership, checkpoints: env.transport.changelog(`${env.groupPrefix ?? 'sluice'}.checkpoints`) };
    }
    this.checkpoints = new CheckpointStore(env.dataDir, config.name, this.sourceLease?.checkpoints);
    this.sourceRunner = new SourceRunner({
      ...(this.sourceLease ? { lease: this.sourceLease.leadership } : {}),
      config,
      source,
      outlet: outlet(1, chain.entry),
      checkpoints: this.checkpoints,
      deadLetters: this.deadLetters,
      monitor: sourceMonitor,
      logger: this.context(config.source).logger,
      recordLatency: this.recordLatency,
      onAcked: (_count, latency) => env.metrics.observeRecordLatency(config.name, latency),
    });
  }

  /**
   * The runner of a transform stage (main chain or route), with its plugin instance and monitor. A
   * keyed-state stage fed by a Kafka channel runs an instance per partition (PartitionedTransform).
   */
  private transformRunner(stage: StageConfig, inlet: StageInlet, outlet: StageOutlet): TransformRunner {
    const monitor = this.monitor(stage);
    const logger = this.context(stage).logger;
    if (inlet.kind === 'channel' && this.env.transport.kind === 'kafka' && stage.definition.capabilities?.keyedState) {
      const transform = this.partitionedTransform(stage, inlet.channel, monitor);
      const partitionedInlet: StageInlet = { ...inlet, options: { onAssignment: (partitions) => transform.onAssignment(partitions) } };
      return new TransformRunner({ config: this.config, stage, transform, inlet: partitionedInlet, outlet, deadLetters: this.deadLetters, monitor, logger, beforeBatch: () => transform.beginBatch() });
    }
    const transform = this.instantiate<Transform>(stage, monitor);
    return new TransformRunner({ config: this.config, stage, transform, inlet, outlet, deadLetters: this.deadLetters, monitor, logger });
  }

  /** A keyed-state stage as one plugin instance per partition of `channel`, its state in the changelog `<channel>.<group prefix>.changelog`. */
  private partitionedTransform(stage: StageConfig, channel: string, monitor: StageMonitor): PartitionedTransform {
    const context: PluginContext = { ...this.context(stage), stateManaged: true };
    const create = (): KeyedStateTransform => {
      const instance = (stage.definition.create as (c: object, ctx: PluginContext) => Transform)(stage.config, context);
      const missing = missingCapabilities(stage.definition, instance);
      if (missing.length > 0) throw new Error(`${stage.path} (plugin "${stage.plugin}"): the plugin declares ${missing.map((m) => `"${m}"`).join(', ')} but its instance does not implement it`);
      return instance as KeyedStateTransform;
    };
    const transform = new PartitionedTransform({ create, changelog: this.env.transport.changelog(`${channel}.${this.env.groupPrefix ?? 'sluice'}.changelog`), logger: context.logger });
    this.partitioned.set(channel, transform);
    this.plugins.push({ stage: stage.name, plugin: stage.plugin, monitor, instance: transform });
    return transform;
  }

  /** The runner of a sink stage (the pipeline's, or a route's), with its plugin instance and monitor. */
  private sinkRunner(stage: StageConfig, inlet: StageInlet): SinkRunner {
    const monitor = this.monitor(stage);
    const sink = this.instantiate<Sink>(stage, monitor);
    return new SinkRunner({ config: this.config, stage, sink, inlet, deadLetters: this.deadLetters, monitor, logger: this.context(stage).logger });
  }

  /** The fan-out that ends the main chain of a pipeline with routes, with each route's chain of runners. */
  private fanOut(config: RoutedPipelineConfig, inlet: StageInlet, runners: StageRunnerFactory, links: (route: RouteConfig) => RouteLinks, logger: PluginLogger): FanOutNode {
    const routes = config.routes.map((route) => RouteChain.build(route, runners, links(route)));
    const monitor = this.watch(new FanOutMonitor(config.name, routes.map((route) => route.name)));
    return new FanOutNode({ routes, unrouted: config.unrouted, inlet, deadLetters: this.deadLetters, monitor, logger });
  }

  /** Creates a stage's plugin instance and checks it against the capabilities its definition declares. */
  private instantiate<T extends Source | Transform | Sink>(stage: StageConfig, monitor: StageMonitor): T {
    const instance = (stage.definition.create as (c: object, ctx: PluginContext) => T)(stage.config, this.context(stage));
    const missing = missingCapabilities(stage.definition, instance);
    if (missing.length > 0) {
      throw new Error(`${stage.path} (plugin "${stage.plugin}"): the plugin declares ${missing.map((m) => `"${m}"`).join(', ')} but its instance does not implement it`);
    }
    this.plugins.push({ stage: stage.name, plugin: stage.plugin, monitor, instance });
    return instance;
  }

  /**
   * Resolves once the pipeline runs (its stages started); rejects when `signal` aborts first, or
   * when the pipeline failed or stopped before it ran. For work that needs running stages (jobs).
   */
  whenStarted(signal: AbortSignal): Promise<void> {
    if (this.sourceStarted) return Promise.resolve();
    signal.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error(`pipeline "${this.name}" did not start in time`));
      signal.addEventListener('abort', onAbort, { once: true });
      this.start().then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /** Resolves when a finite source ended and everything it read was committed. */
  async sourceFinished(): Promise<void> {
    await this.start();
    await this.sourceRunner.finished();
  }

  /**
   * Drains: stop reading, wait for in-flight records to be acknowledged, commit, close stages.
   * A pipeline still starting gives up its start and stops what already started.
   */
  async stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = this.stopStages();
    return this.stopping;
  }

  /**
   * Stops reading: the source drains what it read (acknowledged, committed) and stops; the other
   * stages keep running until {@link stop}. What the runtime waits for before handing the lead to
   * another host, whose sources then start while this host drains the rest.
   */
  async stopReading(): Promise<void> {
    if (!this.starting) return;
    this.lifecycle.abort();
    await this.starting.catch(() => undefined);
    if (this.sourceStarted) await this.sourceRunner.stop();
    else this.sourceRunner?.abandon();
  }

  private async stopStages(): Promise<void> {
    if (!this.starting) return;
    await this.stopReading();
    await this.sourceLease?.checkpoints.stop().catch(() => undefined);
    for (const runner of this.transformRunners) await runner.stop();
    await this.lastStage?.stop();
    await this.deadLetterStage?.stop();
  }

  /** `starting` until the source runs; then `degraded` while a stage is (or restarts), else running/finished. */
  get state(): PipelineState {
    const states = this.monitors.map((m) => m.state);
    if (this.stopping) return states.every((s) => s === 'stopped') ? 'stopped' : 'stopping';
    if (this.startError !== undefined) return 'failed';
    if (!this.sourceStarted) return 'starting';
    if (states.some((s) => s === 'degraded' || s === 'restarting' || s === 'starting')) return 'degraded';
    return states.some((s) => s === 'finished') ? 'finished' : 'running';
  }

  get ready(): boolean {
    return this.monitors.length > 0 && this.monitors.every((m) => m.ready);
  }

  status(): PipelineStatus {
    return {
      name: this.config.name,
      configHash: this.identity.configHash,
      state: this.state,
      channels: this.plan.channels,
      ...(this.startError === undefined ? {} : { error: describeError(this.startError) }),
      ready: this.ready,
      recordsInFlight: this.sourceRunner?.recordsInFlight ?? 0,
      checkpoint: this.checkpoints?.checkpoint ?? {},
      latencyMs: { p50: this.recordLatency.percentile(50), p99: this.recordLatency.percentile(99) },
      stages: this.monitors.map((m) => m.snapshot()),
    };
  }

  /** Each plugin's own health report, merged with its stage state. */
  async health(): Promise<Array<{ stage: string; plugin: string; report: HealthReport }>> {
    return Promise.all(
      this.plugins.map(async ({ stage, plugin, monitor, instance }) => {
        let report: HealthReport = { status: monitor.ready ? 'up' : 'down', details: { state: monitor.state } };
        if (monitor.ready && instance.health) {
          try {
            const own = await instance.health();
            report = { status: own.status, details: { state: monitor.state, ...own.details } };
          } catch (error) {
            report = { status: 'down', details: { state: monitor.state, error: error instanceof Error ? error.message : String(error) } };
          }
        }
        if (monitor.state === 'degraded' && report.status === 'up') report = { ...report, status: 'degraded' };
        return { stage, plugin, report };
      }),
    );
  }

  /**
   * The running plugin instance of a stage (`source`, `transforms[0]`, `sink`, `deadLetter`,
   * `routes.<route>.transforms[0]`, `routes.<route>.sink`...),
   * for jobs that trigger a source or run an action a plugin exposes. Undefined until started.
   */
  stageInstance(stage: string): Source | Transform | Sink | undefined {
    return this.plugins.find((p) => p.stage === stage)?.instance;
  }

  /** The stages with a running plugin instance, in start order. */
  stageNames(): string[] {
    return this.plugins.map((p) => p.stage);
  }

  /**
   * What the query module reads through: the pipeline's sink when it can be queried; with routes,
   * the queryable route sinks, each dataset read from the sink that holds it. Null until started.
   */
  queryable(): Queryable | null {
    return this.queryableSinks;
  }
}
