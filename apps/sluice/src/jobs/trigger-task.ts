import { isTriggerable, type JsonValue, type TriggerableSource } from '@sluice/sdk';
import type { SluiceRuntime } from '#runtime';
import type { JobTask } from './job-task.js';
import { pluginOf, runningPipeline } from './running-stage.js';

/** A job that starts a run of a pipeline's source (one that implements the SDK's TriggerableSource). */
export class TriggerTask implements JobTask {
  readonly kind = 'trigger';
  readonly description: string;

  constructor(
    private readonly pipeline: string,
    private readonly runtime: SluiceRuntime,
  ) {
    this.description = `trigger the source of pipeline "${pipeline}"`;
  }

  check(): void {
    this.source();
  }

  async run(signal: AbortSignal): Promise<JsonValue> {
    await runningPipeline(this.runtime, this.pipeline).whenStarted(signal);
    const result = await this.source().trigger(signal);
    return { records: result.records, ...(result.details ?? {}) };
  }

  private source(): TriggerableSource {
    const pipeline = runningPipeline(this.runtime, this.pipeline);
    const source = pipeline.stageInstance('source');
    if (isTriggerable(source)) return source;
    throw new Error(
      `the source of pipeline "${this.pipeline}"${pluginOf(pipeline, 'source')} cannot be triggered: it does not implement trigger(). ` +
        'Sources that implement the SDK\'s TriggerableSource can: the http source does when its config has a `trigger:` section (e.g. trigger: { polls: 1 }).',
    );
  }
}
