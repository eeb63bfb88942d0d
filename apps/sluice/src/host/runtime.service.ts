import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import type { SluiceRuntime } from '#runtime';
import { SLUICE_RUNTIME } from '#health';
import { SLUICE_LOGGER } from './tokens.js';

/** Starts the pipelines when the host is up, and drains them before it shuts down (SIGTERM/SIGINT). */
@Injectable()
export class RuntimeLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(SLUICE_RUNTIME) private readonly runtime: SluiceRuntime,
    @Inject(SLUICE_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runtime.start();
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    if (signal) this.logger.info({ signal }, 'shutdown requested');
    await this.runtime.stop();
  }
}
