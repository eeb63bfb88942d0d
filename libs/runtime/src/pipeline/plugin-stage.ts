import { describeError, retry, type PluginLogger } from '@sluice/sdk';
import type { RestartPolicy, StageConfig } from '../config/sluice-config.js';
import { withDeadline } from '../delivery/deadline.js';
import { untilStopped } from './until-stopped.js';
import type { StageMonitor } from './stage-monitor.js';

/** The lifecycle part of a plugin instance (every kind's `start`/`stop` are optional). */
export interface PluginLifecycle {
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/**
 * Starts and stops one plugin instance of a stage: each `start()` attempt is bounded by the
 * stage's `startTimeoutMs` and failed attempts are retried with the restart backoff until one
 * succeeds or the pipeline stops, the monitor showing `restarting` and the error meanwhile.
 * `stop()` stops the plugin only when it started.
 */
export class PluginStage<T extends PluginLifecycle> {
  private running = false;

  constructor(
    private readonly instance: T,
    private readonly stage: StageConfig,
    private readonly monitor: StageMonitor,
    private readonly restart: RestartPolicy,
    private readonly logger: PluginLogger,
  ) {}

  /** Resolves once the plugin started; rejects only when `signal` aborted first. */
  async start(signal: AbortSignal): Promise<void> {
    this.monitor.transition('starting');
    await retry(
      () => withDeadline(() => this.instance.start?.(), this.stage.timeouts.startMs, `starting ${this.stage.path} (plugin "${this.stage.plugin}")`, signal),
      untilStopped(this.restart, signal, (error, attempt) => this.startFailed(error, attempt, `${this.monitor.kind} failed to start; retrying`)),
    );
    this.running = true;
  }

  /** Records a failed start attempt (of the plugin or of what the stage needs around it). */
  startFailed(error: unknown, attempt: number, message: string): void {
    this.monitor.fail(error);
    this.monitor.transition('restarting');
    this.logger.error({ err: describeError(error), attempt }, message);
  }

  async stop(): Promise<void> {
    if (this.running) {
      this.running = false;
      await this.instance.stop?.();
    }
    this.monitor.transition('stopped');
  }
}
