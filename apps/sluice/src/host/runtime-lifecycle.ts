import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { SluiceRuntime } from '#runtime';
import { SLUICE_RUNTIME } from '#health';

/** Starts the pipelines when the host is up, and drains them before it shuts down (SIGTERM/SIGINT). */
@Injectable()
export class RuntimeLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(SLUICE_RUNTIME) private readonly runtime: SluiceRuntime) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runtime.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
  }
}
