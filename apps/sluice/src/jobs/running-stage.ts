import { didYouMean } from '@sluice/sdk';
import type { Pipeline, SluiceRuntime } from '#runtime';

/** A running pipeline, or an error naming it (and the running ones). */
export function runningPipeline(runtime: SluiceRuntime, name: string): Pipeline {
  const pipeline = runtime.pipeline(name);
  if (pipeline) return pipeline;
  const names = runtime.pipelines.map((p) => p.name);
  const suggestion = didYouMean(name, names);
  throw new Error(`pipeline "${name}" is not running${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; running: ${names.join(', ') || 'none'}`);
}

/** ` (plugin "sql")`: the plugin of a stage (`source`, `transforms[0]`, `sink`, `deadLetter`, `routes.<name>.…`) for messages; '' for an unknown stage. */
export function pluginOf(pipeline: Pipeline, stage: string): string {
  const { config } = pipeline;
  const ends = config.routes ? config.routes.flatMap((route) => [...route.transforms, route.sink]) : [config.sink];
  const plugin = [config.source, ...config.transforms, ...ends, config.deadLetter].find((s) => s.name === stage)?.plugin;
  return plugin === undefined ? '' : ` (plugin "${plugin}")`;
}
