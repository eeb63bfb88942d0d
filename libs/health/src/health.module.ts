import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { PipelinesHealthIndicator } from './pipelines-health.indicator.js';

/** Liveness and readiness endpoints; needs the SLUICE_RUNTIME provider from the host module. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [PipelinesHealthIndicator],
})
export class HealthModule {}
