import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { SluiceRuntime } from '#runtime';
import { SLUICE_RUNTIME } from './tokens.js';

/**
 * Readiness of the host: the transport is connected and every stage of every pipeline is running
 * (or finished), with each plugin's own health report as details.
 */
@Injectable()
export class PipelinesHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(SLUICE_RUNTIME) private readonly runtime: SluiceRuntime,
  ) {}

  async transport() {
    const indicator = this.health.check('transport');
    const status = this.runtime.transport.status();
    return status.connected ? indicator.up(status.details) : indicator.down(status.details);
  }

  async pipelines() {
    const results = [];
    for (const pipeline of this.runtime.pipelines) {
      const indicator = this.health.check(`pipeline:${pipeline.name}`);
      const plugins = await pipeline.health();
      const stages = Object.fromEntries(plugins.map((p) => [p.stage, { plugin: p.plugin, status: p.report.status, ...p.report.details }]));
      const down = plugins.some((p) => p.report.status === 'down');
      results.push(down || !pipeline.ready ? indicator.down({ stages }) : indicator.up({ stages }));
    }
    if (results.length === 0) return this.health.check('pipelines').down({ reason: 'runtime not started' });
    return Object.assign({}, ...results);
  }
}
