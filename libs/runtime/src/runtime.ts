import { describeError, EVERY_ERROR, retry } from '@sluice/sdk';
import type { ChannelTransport, Leadership } from '#transports';
import type { Logger } from 'pino';
import type { SluiceConfig } from './config/sluice-config.js';
import type { RuntimeMetrics } from './metrics/runtime-metrics.js';
import { Pipeline, type PipelineStatus } from './pipeline/pipeline.js';

/** Waits between attempts to join the leadership while the broker cannot be reached. */
const LEADERSHIP_RETRY = { initialBackoffMs: 500, maxBackoffMs: 10_000, multiplier: 2, jitter: 0.2 };

/**
 * All pipelines of one host on one transport: started together, drained together.
 *
 * Hosts running one config over Kafka share one lead (membership of the consumer group
 * `<groupPrefix>.leader`): the leader runs what must happen once, the scheduled jobs and every
 * source that cannot be split, so that a job that triggers a source finds it running there. On one
 * host (embedded) this host always leads.
 */
export class SluiceRuntime {
  private readonly running: Pipeline[] = [];
  private state: 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' = 'idle';
  readonly leadership: Leadership;
  private joining: Promise<void> | null = null;
  private readonly stopping = new AbortController();

  constructor(
    readonly config: SluiceConfig,
    readonly transport: ChannelTransport,
    private readonly logger: Logger,
    readonly metrics: RuntimeMetrics,
  ) {
    this.leadership = transport.leadership(`${this.groupPrefix}.leader`);
  }

  private get groupPrefix(): string {
    return this.config.transport.kind === 'kafka' ? this.config.transport.groupPrefix : 'sluice';
  }

  /**
   * Resolves once this host takes part in the lead (the first decision known), retrying while the
   * broker cannot be reached; rejects only when the runtime stops first.
   */
  leadershipJoined(): Promise<void> {
    this.joining ??= retry(() => this.leadership.start(), {
      backoff: LEADERSHIP_RETRY,
      maxAttempts: Number.POSITIVE_INFINITY,
      retryable: EVERY_ERROR,
      signal: this.stopping.signal,
      onRetry: (error, attempt, delay) => this.logger.warn({ err: describeError(error), attempt, retryInMs: delay }, 'cannot join the leadership of the hosts yet; retrying'),
    });
    return this.joining;
  }

  /**
   * Connects the transport, then starts every pipeline independently: one whose stage cannot start
   * (a database that does not exist, a broker that does not answer) stays `starting` with its
   * error while the others run. Resolves without waiting for the pipelines to be up; each
   * pipeline's `start()` tells when it is.
   */
  async start(): Promise<void> {
    if (this.state !== 'idle') return;
    this.state = 'starting';
    await this.transport.connect();
    const groupPrefix = this.groupPrefix;
    this.leadership.onChange((leader) => this.logger.info({ leadership: this.leadership.details }, leader ? 'this host leads: it runs the jobs and the sources that cannot be split' : 'another host leads now'));
    // In the background: the sources that wait for the lead stand by meanwhile.
    this.leadershipJoined().catch(() => undefined);
    for (const pipelineConfig of this.config.pipelines) {
      const pipeline = new Pipeline(pipelineConfig, {
        transport: this.transport,
        dataDir: this.config.dataDir,
        configDir: this.config.dir,
        logger: this.logger,
        metrics: this.metrics,
        groupPrefix,
        leadership: this.leadership,
      });
      this.running.push(pipeline);
      pipeline.start().then(
        () => this.logger.info({ pipeline: pipeline.name, configHash: pipeline.identity.configHash }, 'pipeline started'),
        (error: unknown) => {
          if (pipeline.state !== 'stopping' && pipeline.state !== 'stopped') this.logger.error({ pipeline: pipeline.name, err: describeError(error) }, 'pipeline failed to start');
        },
      );
    }
    this.state = 'running';
  }

  /** Drains every pipeline (no record in flight is lost), then closes the transport. */
  async stop(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped' || this.state === 'idle') return;
    this.state = 'stopping';
    this.logger.info('draining pipelines');
    // Once the sources that ran here drained and committed, the lead goes to another host (its
    // sources start from the shared checkpoints) while the rest of the stages drain here.
    await Promise.all(this.running.map((p) => p.stopReading()));
    this.stopping.abort();
    const handover = (this.joining ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.leadership.stop())
      .catch((error: unknown) => this.logger.warn({ err: describeError(error) }, 'leaving the leadership failed'));
    await Promise.all(this.running.map((p) => p.stop()));
    await handover;
    await this.transport.close();
    this.state = 'stopped';
    this.logger.info('all pipelines drained and stopped');
  }

  get pipelines(): readonly Pipeline[] {
    return this.running;
  }

  pipeline(name: string): Pipeline | undefined {
    return this.running.find((p) => p.name === name);
  }

  get ready(): boolean {
    return this.state === 'running' && this.transport.status().connected && this.running.every((p) => p.ready);
  }

  status(): { state: string; transport: ReturnType<ChannelTransport['status']>; pipelines: PipelineStatus[] } {
    return { state: this.state, transport: this.transport.status(), pipelines: this.running.map((p) => p.status()) };
  }
}
