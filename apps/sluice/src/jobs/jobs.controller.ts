import { ConflictException, Controller, Get, HttpCode, Param, Post, ServiceUnavailableException, UseGuards } from '@nestjs/common';
import { TokenGuard } from '../api/token.guard.js';
import { JobScheduler } from './job-scheduler.js';
import { JobBusyError, JobsStoppedError } from './job-runner.js';

/**
 * The scheduled jobs, behind the host's token guard like /api/pipelines:
 * - `GET /api/jobs`: `{ jobs: [state...] }` (schedule, running, next run, last run, counts);
 * - `GET /api/jobs/:name`: one job's state;
 * - `POST /api/jobs/:name/run`: runs it now and answers 200 with the run's record (whatever its
 *   outcome), 409 while a run is under way, 503 once the host is stopping.
 */
@Controller('api/jobs')
@UseGuards(TokenGuard)
export class JobsController {
  constructor(private readonly scheduler: JobScheduler) {}

  @Get()
  list() {
    return { jobs: this.scheduler.list(), leadership: this.scheduler.leadershipDetails() };
  }

  @Get(':name')
  one(@Param('name') name: string) {
    return this.scheduler.state(name);
  }

  @Post(':name/run')
  @HttpCode(200)
  async run(@Param('name') name: string) {
    try {
      return await this.scheduler.runNow(name);
    } catch (error) {
      if (error instanceof JobBusyError) throw new ConflictException(error.message);
      if (error instanceof JobsStoppedError) throw new ServiceUnavailableException(error.message);
      throw error;
    }
  }
}
