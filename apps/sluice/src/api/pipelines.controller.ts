import { Controller, Get, Inject, NotFoundException, Param, UseGuards } from '@nestjs/common';
import type { SluiceRuntime } from '#runtime';
import { SLUICE_RUNTIME } from '#health';
import { TokenGuard } from './token.guard.js';

/** Status and counters per pipeline and stage. */
@Controller('api/pipelines')
@UseGuards(TokenGuard)
export class PipelinesController {
  constructor(@Inject(SLUICE_RUNTIME) private readonly runtime: SluiceRuntime) {}

  @Get()
  list() {
    return this.runtime.status();
  }

  @Get(':name')
  one(@Param('name') name: string) {
    const pipeline = this.runtime.pipeline(name);
    if (!pipeline) throw new NotFoundException(`no pipeline named "${name}"`);
    return pipeline.status();
  }
}
