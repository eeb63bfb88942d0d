import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { PipelinesHealthIndicator } from './pipelines-health.indicator.js';

/** `/health/live`: the process answers. `/health/ready`: 503 until every stage is connected. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly pipelines: PipelinesHealthIndicator,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.pipelines.transport(), () => this.pipelines.pipelines()]);
  }
}
