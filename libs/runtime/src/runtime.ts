import { describeError } from '@sluice/sdk';
import type { ChannelTransport } from '#transports';
import type { Logger } from 'pino';
import type { SluiceConfig } from './config/sluice-config.js';
import type { RuntimeMetrics } from './metrics/runtime-metrics.js';
import { Pipeline, type PipelineStatus } from './pipeline/pipeline.js';

/** All pipelines of one host on one transport: started together, drained together. */
export class SluiceRuntime {
  private readonly running: Pipeline[] = [];
  private state: 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' = 'idle';

  constructor(
    readonly config: SluiceConfig,
    readonly transport: ChannelTransport,
    private readonly logger: Logger,
    readonly metrics: RuntimeMetrics,
  ) {}

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
    const groupPrefix = this.config.transport.kind === 'kafka' ? this.config.transport.groupPrefix : 'sluice';
    for (const pipelineConfig of this.config.pipelines) {
      const pipeline = new Pipeline(pipelineConfig, {
        transport: this.transport,
        dataDir: this.config.dataDir,
        configDir: this.config.dir,
        logger: this.logger,
        metrics: this.metrics,
        groupPrefix,
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
    await Promise.all(this.running.map((p) => p.stop()));
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
