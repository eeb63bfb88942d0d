import { Controller, Get, Headers, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import type { SluiceRuntime } from '#runtime';
import { bearerTokenAccepted } from './bearer-token.js';
import { healthStatusOnly, type HealthStatusOnly } from './health-status-only.js';
import { PipelinesHealthIndicator } from './pipelines-health.indicator.js';
import { SLUICE_RUNTIME } from './tokens.js';

/**
 * `/health/live`: the process answers. `/health/ready`: 503 until every stage is connected. Both
 * keep their HTTP code for everyone (what probes need), but the per-pipeline and per-plugin
 * details are only in the answer to `Authorization: Bearer <http.token>` when a token is
 * configured; without it the body is just `{ "status": … }`. No token configured: details for all.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly pipelines: PipelinesHealthIndicator,
    @Inject(SLUICE_RUNTIME) private readonly runtime: SluiceRuntime,
  ) {}

  @Get('live')
  @HealthCheck()
  live(@Headers('authorization') authorization?: string) {
    return this.answer(this.health.check([]), authorization);
  }

  @Get('ready')
  @HealthCheck()
  ready(@Headers('authorization') authorization?: string) {
    return this.answer(this.health.check([() => this.pipelines.transport(), () => this.pipelines.pipelines()]), authorization);
  }

  private answer(check: Promise<HealthCheckResult>, authorization: string | undefined): Promise<HealthCheckResult | HealthStatusOnly> {
    return bearerTokenAccepted(this.runtime.config.http.token, authorization) ? check : healthStatusOnly(check);
  }
}
