import { describe, expect, it } from '@jest/globals';
import type { JsonValue, PluginAction } from '@sluice/sdk';
import type { SluiceRuntime } from '#runtime';
import { ActionTask } from './action-task.js';
import { TriggerTask } from './trigger-task.js';

/** A runtime with one running pipeline `vehicles` whose sink exposes `actions`. */
function runtimeWith(sink: object, source: object = {}): SluiceRuntime {
  const stage = (name: string, plugin: string) => ({ name, plugin });
  const instances: Record<string, object> = { deadLetter: {}, sink, source };
  const pipeline = {
    name: 'vehicles',
    config: { source: stage('source', 'generator'), transforms: [], sink: stage('sink', 'sql'), deadLetter: stage('deadLetter', 'file') },
    stageNames: () => Object.keys(instances),
    stageInstance: (name: string) => instances[name],
    whenStarted: async () => undefined,
  };
  return { pipelines: [pipeline], pipeline: (name: string) => (name === 'vehicles' ? pipeline : undefined) } as unknown as SluiceRuntime;
}

describe('ActionTask', () => {
  it('runs the named action of the stage with the job\'s args and signal, and reports its summary', async () => {
    const calls: Array<[Readonly<Record<string, JsonValue>>, AbortSignal]> = [];
    const compact: PluginAction = {
      description: 'deletes old rows',
      run: async (args, signal) => {
        calls.push([args, signal]);
        return { removed: 12 };
      },
    };
    const task = new ActionTask({ pipeline: 'vehicles', stage: 'sink', action: 'compact', args: { olderThanDays: 30 } }, runtimeWith({ actions: { compact } }));
    expect(task.description).toBe('run action "compact" of the sink of pipeline "vehicles"');
    task.check();
    const signal = new AbortController().signal;
    expect(await task.run(signal)).toEqual({ removed: 12 });
    expect(calls).toEqual([[{ olderThanDays: 30 }, signal]]);
  });

  it('reports an action that resolves with nothing as null', async () => {
    const vacuum: PluginAction = { description: 'vacuums', run: async () => undefined };
    expect(await new ActionTask({ pipeline: 'vehicles', stage: 'sink', action: 'vacuum', args: {} }, runtimeWith({ actions: { vacuum } })).run(new AbortController().signal)).toBeNull();
  });

  it('names the closest action and lists the actions with their descriptions', () => {
    const actions = { compact: { description: 'deletes old rows', run: async () => null }, vacuum: { description: 'reclaims space', run: async () => null } };
    expect(() => new ActionTask({ pipeline: 'vehicles', stage: 'sink', action: 'compcat', args: {} }, runtimeWith({ actions })).check()).toThrow(
      'the sink of pipeline "vehicles" (plugin "sql") has no action "compcat" (did you mean "compact"?); its actions: compact (deletes old rows), vacuum (reclaims space)',
    );
  });

  it('names the closest stage, and a pipeline that is not running', () => {
    expect(() => new ActionTask({ pipeline: 'vehicles', stage: 'sinks', action: 'x', args: {} }, runtimeWith({})).check()).toThrow(
      'pipeline "vehicles" has no stage "sinks" (did you mean "sink"?); its stages: deadLetter, sink, source',
    );
    expect(() => new ActionTask({ pipeline: 'vehicle', stage: 'sink', action: 'x', args: {} }, runtimeWith({})).check()).toThrow(
      'pipeline "vehicle" is not running (did you mean "vehicles"?); running: vehicles',
    );
  });
});

describe('ActionTask on a stage of a route', () => {
  it('finds the stage by its route name and names its plugin in errors', async () => {
    const stage = (name: string, plugin: string) => ({ name, plugin });
    const snapshot: PluginAction = { description: 'saves the state now', run: async () => ({ groups: 6 }) };
    const instances: Record<string, object> = { source: {}, sink: {}, deadLetter: {}, 'routes.stats.transforms[0]': { actions: { snapshot } }, 'routes.stats.sink': {} };
    const pipeline = {
      name: 'pokemon',
      config: {
        source: stage('source', 'kafka'),
        transforms: [],
        sink: stage('sink', 'routes'),
        deadLetter: stage('deadLetter', 'file'),
        routes: [{ name: 'stats', transforms: [stage('routes.stats.transforms[0]', 'aggregate')], sink: stage('routes.stats.sink', 'cassandra') }],
      },
      stageNames: () => Object.keys(instances),
      stageInstance: (name: string) => instances[name],
      whenStarted: async () => undefined,
    };
    const runtime = { pipelines: [pipeline], pipeline: (name: string) => (name === 'pokemon' ? pipeline : undefined) } as unknown as SluiceRuntime;
    const task = new ActionTask({ pipeline: 'pokemon', stage: 'routes.stats.transforms[0]', action: 'snapshot', args: {} }, runtime);
    task.check();
    expect(await task.run(new AbortController().signal)).toEqual({ groups: 6 });
    expect(() => new ActionTask({ pipeline: 'pokemon', stage: 'routes.stats.transforms[0]', action: 'snapshots', args: {} }, runtime).check()).toThrow(
      /\(plugin "aggregate"\) has no action "snapshots" \(did you mean "snapshot"\?\)/,
    );
  });
});

describe('TriggerTask', () => {
  it('triggers the source and reports its records and details', async () => {
    const signals: AbortSignal[] = [];
    const source = {
      trigger: async (signal: AbortSignal) => {
        signals.push(signal);
        return { records: 5, details: { polls: 2, requests: 3 } };
      },
    };
    const task = new TriggerTask('vehicles', runtimeWith({}, source));
    task.check();
    const signal = new AbortController().signal;
    expect(await task.run(signal)).toEqual({ records: 5, polls: 2, requests: 3 });
    expect(signals).toEqual([signal]);
  });

  it('refuses a source that cannot be triggered, naming its plugin', () => {
    expect(() => new TriggerTask('vehicles', runtimeWith({}, {})).check()).toThrow('the source of pipeline "vehicles" (plugin "generator") cannot be triggered: it does not implement trigger().');
  });
});

describe('jobs on a pipeline that is still starting', () => {
  it('wait until it runs before they trigger its source', async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const calls: string[] = [];
    const source = { trigger: async () => (calls.push('trigger'), { records: 1 }) };
    const runtime = runtimeWith({}, source);
    Object.assign(runtime.pipeline('vehicles')!, { whenStarted: () => running });
    const run = new TriggerTask('vehicles', runtime).run(new AbortController().signal);
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toEqual([]);
    started();
    expect(await run).toEqual({ records: 1 });
    expect(calls).toEqual(['trigger']);
  });
});
