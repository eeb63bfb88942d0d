import { didYouMean, pluginActions, type JsonValue, type PluginAction } from '@sluice/sdk';
import type { SluiceRuntime } from '#runtime';
import type { JobTask } from './job-task.js';
import { pluginOf, runningPipeline } from './running-stage.js';

/** A job that runs an action a plugin of a running pipeline exposes (the SDK's PluginActions). */
export class ActionTask implements JobTask {
  readonly kind = 'action';
  readonly description: string;

  constructor(
    private readonly target: { readonly pipeline: string; readonly stage: string; readonly action: string; readonly args: Readonly<Record<string, JsonValue>> },
    private readonly runtime: SluiceRuntime,
  ) {
    this.description = `run action "${target.action}" of the ${target.stage} of pipeline "${target.pipeline}"`;
  }

  check(): void {
    this.action();
  }

  async run(signal: AbortSignal): Promise<JsonValue> {
    await runningPipeline(this.runtime, this.target.pipeline).whenStarted(signal);
    const result = await this.action().run(this.target.args, signal);
    return result ?? null;
  }

  private action(): PluginAction {
    const { pipeline: name, stage, action } = this.target;
    const pipeline = runningPipeline(this.runtime, name);
    const stages = pipeline.stageNames();
    const instance = stages.includes(stage) ? pipeline.stageInstance(stage) : undefined;
    if (!instance) {
      const suggestion = didYouMean(stage, stages);
      throw new Error(`pipeline "${name}" has no stage "${stage}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; its stages: ${stages.join(', ')}`);
    }
    const actions = pluginActions(instance);
    const found = actions[action];
    if (found) return found;
    const names = Object.keys(actions);
    const suggestion = didYouMean(action, names);
    throw new Error(
      `the ${stage} of pipeline "${name}"${pluginOf(pipeline, stage)} has no action "${action}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; ` +
        (names.length > 0 ? `its actions: ${names.map((n) => `${n} (${actions[n]!.description})`).join(', ')}` : 'it exposes no actions'),
    );
  }
}
