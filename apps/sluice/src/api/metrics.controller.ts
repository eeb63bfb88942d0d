import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { RuntimeMetrics } from '#runtime';
import { RUNTIME_METRICS } from '../host/tokens.js';

/** Prometheus exposition of the runtime's metrics. */
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(RUNTIME_METRICS) private readonly metrics: RuntimeMetrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  render(): Promise<string> {
    return this.metrics.render();
  }
}
