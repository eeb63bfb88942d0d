import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TokenGuard } from '../api/token.guard.js';
import { JobScheduler } from './job-scheduler.js';
import { JobsController } from './jobs.controller.js';

export interface JobsModuleOptions {
  /** The host's QueryModule (the same dynamic module object it imports), for query jobs. */
  readonly queries: DynamicModule;
}

/**
 * The scheduled jobs of the config (`jobs:`): the scheduler (on @nestjs/schedule) and
 * `/api/jobs`. Needs the host module's providers (config, runtime, logger, metrics).
 */
@Module({})
export class JobsModule {
  static forRoot(options: JobsModuleOptions): DynamicModule {
    return {
      module: JobsModule,
      imports: [ScheduleModule.forRoot(), options.queries],
      controllers: [JobsController],
      providers: [JobScheduler, TokenGuard],
      exports: [JobScheduler],
    };
  }
}
