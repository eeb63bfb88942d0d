import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { RuntimeMetrics, SluiceRuntime, type SluiceConfig } from '#runtime';
import type { ChannelTransport } from '#transports';
import { HealthModule, SLUICE_RUNTIME } from '#health';
import { QueryModule } from '#query';
import { MetricsController } from '../api/metrics.controller.js';
import { PipelinesController } from '../api/pipelines.controller.js';
import { TokenGuard } from '../api/token.guard.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { RuntimeLifecycle } from './runtime-lifecycle.js';
import { CHANNEL_TRANSPORT, RUNTIME_METRICS, SLUICE_CONFIG, SLUICE_LOGGER } from './tokens.js';
import { TransportModule } from './transport.module.js';

export interface SluiceHostOptions {
  readonly config: SluiceConfig;
  readonly logger: Logger;
  /** Collect Node process metrics too (default true; tests turn it off). */
  readonly processMetrics?: boolean;
}

/** The NestJS host: transport, runtime, health, metrics, the pipelines API, queries and scheduled jobs for one config. */
@Global()
@Module({})
export class SluiceHostModule {
  static forRoot(options: SluiceHostOptions): DynamicModule {
    const queries = QueryModule.forRoot({ config: options.config, guard: TokenGuard });
    return {
      module: SluiceHostModule,
      imports: [TransportModule.forRoot(options.config.transport), HealthModule, queries, JobsModule.forRoot({ queries })],
      controllers: [PipelinesController, MetricsController],
      providers: [
        { provide: SLUICE_CONFIG, useValue: options.config },
        { provide: SLUICE_LOGGER, useValue: options.logger },
        { provide: RUNTIME_METRICS, useFactory: () => new RuntimeMetrics({ defaultMetrics: options.processMetrics ?? true }) },
        {
          provide: SLUICE_RUNTIME,
          useFactory: (transport: ChannelTransport, metrics: RuntimeMetrics) => new SluiceRuntime(options.config, transport, options.logger, metrics),
          inject: [CHANNEL_TRANSPORT, RUNTIME_METRICS],
        },
        TokenGuard,
        RuntimeLifecycle,
      ],
      exports: [SLUICE_RUNTIME, SLUICE_CONFIG, SLUICE_LOGGER, RUNTIME_METRICS],
    };
  }
}
