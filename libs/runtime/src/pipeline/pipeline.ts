import { isQueryable, type HealthReport, type PluginContext, type PluginLogger, type Queryable, type Sink, type Source, type Transform } from '@sluice/sdk';
import type { ChannelTransport } from '#transports';
import type { Logger } from 'pino';
import type { PipelineConfig, StageConfig } from '../config/sluice-config.js';
import { CheckpointStore } from '../delivery/checkpoint-store.js';
import { LatencySamples } from '../metrics/latency-samples.js';
import type { RuntimeMetrics } from '../metrics/runtime-metrics.js';
import { DeadLetterQueue } from './dead-letter-queue.js';
import { RoutedSink } from './routing/routed-sink.js';
import { SinkRunner } from './sink-runner.js';
import { SourceRunner } from './source-runner.js';
import { StageMonitor, type StageSnapshot } from './stage-monitor.js';
import { TransformRunner } from './transform-runner.js';

export interface PipelineEnvironment {
  readonly transport: ChannelTransport;
  readonly dataDir: string;
  readonly configDir: string;
  readonly logger: Logger;
  readonly metrics: RuntimeMetrics;
  /** Consumer-group prefix (Kafka: hosts with the same prefix share the work). */
  readonly groupPrefix?: string;
}

export interface PipelineStatus {
  readonly name: string;
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

/**
 * One running pipeline: source → transforms → sink, each stage consuming the channel its upstream
 * publishes to (`<pipeline>.stage-<n>`), plus the dead-letter destination. Starts downstream first
 * so that nothing is published before its consumer is ready; stops upstream first so that the
 * records in flight drain into the sink before it closes.
 */
export class Pipeline {
  private readonly monitors: StageMonitor[] = [];
  private readonly plugins: PluginHealthSource[] = [];
  private readonly recordLatency = new LatencySamples(8192);
  private sourceRunner!: SourceRunner;
  private transformRunners: TransformRunner[] = [];
  private sinkRunner!: SinkRunner;
  private deadLetterSink!: Sink;
  private deadLetterMonitor!: StageMonitor;
  private checkpoints!: CheckpointStore;
  private sinkInstance!: Sink;
  private started = false;

  constructor(
    readonly config: PipelineConfig,
    private readonly env: PipelineEnvironment,
  ) {}

  get name(): string {
    return this.config.name;
  }

  /** Channel consumed by the stage at `index` (1 = first after the source). */
  channel(index: number): string {
    return `${this.config.name}.stage-${index}`;
  }

  private context(stage: StageConfig): PluginContext {
    return {
      pipeline: this.config.name,
      stage: stage.name,
      logger: this.env.logger.child({ pipeline: this.config.name, stage: stage.name, plugin: stage.plugin }) as unknown as PluginLogger,
      configDir: this.env.configDir,
      dataDir: this.env.dataDir,
    };
  }

  private monitor(stage: StageConfig): StageMonitor {
    const monitor = new StageMonitor(this.config.name, stage.name, stage.plugin, stage.definition.kind);
    this.monitors.push(monitor);
    this.env.metrics.watch(monitor);
    return monitor;
  }

  async start(): Promise<void> {
    const { config, env } = this;
    const group = (stage: StageConfig) => `${env.groupPrefix ?? 'sluice'}.${config.name}.${stage.name}`;
    const transforms = config.transforms;
    const sinkIndex = transforms.length + 1;

    this.deadLetterMonitor = this.monitor(config.deadLetter);
    this.deadLetterSink = (config.deadLetter.definition.create as (c: object, ctx: PluginContext) => Sink)(config.deadLetter.config, this.context(config.deadLetter));
    this.plugins.push({ stage: config.deadLetter.name, plugin: config.deadLetter.plugin, monitor: this.deadLetterMonitor, instance: this.deadLetterSink });
    await this.deadLetterSink.start();
    this.deadLetterMonitor.transition('running');
    const deadLetters = new DeadLetterQueue(config.name, this.deadLetterSink, config.retry, this.deadLetterMonitor);

    for (let index = 1; index <= sinkIndex; index++) await env.transport.ensureChannel({ name: this.channel(index), ...config.channels });

    const sinkMonitor = this.monitor(config.sink);
    this.sinkInstance = (config.sink.definition.create as (c: object, ctx: PluginContext) => Sink)(config.sink.config, this.context(config.sink));
    this.plugins.push({ stage: config.sink.name, plugin: config.sink.plugin, monitor: sinkMonitor, instance: this.sinkInstance });
    if (this.sinkInstance instanceof RoutedSink) {
      for (const member of this.sinkInstance.members()) this.plugins.push({ ...member, monitor: sinkMonitor, instance: member.instance as Sink | Transform });
    }
    this.sinkRunner = new SinkRunner({
      config,
      stage: config.sink,
      sink: this.sinkInstance,
      transport: env.transport,
      input: this.channel(sinkIndex),
      group: group(config.sink),
      deadLetters,
      monitor: sinkMonitor,
      logger: this.context(config.sink).logger,
    });
    await this.sinkRunner.start();

    for (let i = transforms.length - 1; i >= 0; i--) {
      const stage = transforms[i];
      const monitor = this.monitor(stage);
      const transform = (stage.definition.create as (c: object, ctx: PluginContext) => Transform)(stage.config, this.context(stage));
      this.plugins.push({ stage: stage.name, plugin: stage.plugin, monitor, instance: transform });
      const runner = new TransformRunner({
        config,
        stage,
        transform,
        transport: env.transport,
        input: this.channel(i + 1),
        output: this.channel(i + 2),
        group: group(stage),
        deadLetters,
        monitor,
        logger: this.context(stage).logger,
      });
      await runner.start();
      this.transformRunners.unshift(runner);
    }

    const sourceMonitor = this.monitor(config.source);
    const source = (config.source.definition.create as (c: object, ctx: PluginContext) => Source)(config.source.config, this.context(config.source));
    this.plugins.push({ stage: config.source.name, plugin: config.source.plugin, monitor: sourceMonitor, instance: source });
    this.checkpoints = new CheckpointStore(env.dataDir, config.name);
    this.sourceRunner = new SourceRunner({
      config,
      source,
      transport: env.transport,
      channel: this.channel(1),
      checkpoints: this.checkpoints,
      deadLetters,
      monitor: sourceMonitor,
      logger: this.context(config.source).logger,
      recordLatency: this.recordLatency,
      onAcked: (_count, latency) => env.metrics.observeRecordLatency(config.name, latency),
    });
    env.metrics.watchInFlight(config.name, () => this.sourceRunner.recordsInFlight);
    this.sourceRunner.start();
    this.started = true;
  }

  /** Resolves when a finite source ended and everything it read was committed. */
  async sourceFinished(): Promise<void> {
    await this.sourceRunner.finished();
  }

  /** Drains: stop reading, wait for in-flight records to be acknowledged, commit, close stages. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.sourceRunner.stop();
    for (const runner of this.transformRunners) await runner.stop();
    await this.sinkRunner.stop();
    await this.deadLetterSink.stop();
    this.deadLetterMonitor.transition('stopped');
  }

  get ready(): boolean {
    return this.monitors.length > 0 && this.monitors.every((m) => m.ready);
  }

  status(): PipelineStatus {
    return {
      name: this.config.name,
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
   * The running plugin instance of a stage (`source`, `transforms[0]`, `sink`, `deadLetter`...),
   * for jobs that trigger a source or run an action a plugin exposes. Undefined until started.
   */
  stageInstance(stage: string): Source | Transform | Sink | undefined {
    return this.plugins.find((p) => p.stage === stage)?.instance;
  }

  /** The stages with a running plugin instance, in start order. */
  stageNames(): string[] {
    return this.plugins.map((p) => p.stage);
  }

  /** The pipeline's sink when it can be queried (the query module reads through it). */
  queryable(): Queryable | null {
    return isQueryable(this.sinkInstance) ? this.sinkInstance : null;
  }
}
