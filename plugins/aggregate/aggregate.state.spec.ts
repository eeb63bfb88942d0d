import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { makeRecord, prepare, type PluginContext, type PluginLogger, type SluiceRecord, type Transform } from '@sluice/sdk';
import aggregate from './index.js';
import type { AggregateTransform } from './aggregate.transform.js';
import { stateFilePath } from './state-file.js';

const HOUR = 3_600_000;

const STATS = {
  each: 'stats',
  groupBy: { stat_type: 'stat.name' },
  distinct: 'id',
  metrics: { avg_value: { fn: 'avg', of: 'base_stat' }, max_value: { fn: 'max', of: 'base_stat' }, min_value: { fn: 'min', of: 'base_stat' }, count_pokemon: { fn: 'count' } },
  updatedAtField: '',
};

const COUNTS = { groupBy: { g: 'g' }, metrics: { n: { fn: 'count' }, total: { fn: 'sum', of: 'v' } }, updatedAtField: '' };

const poke = (id: number, hp: number) => makeRecord({ id, stats: [{ base_stat: hp, stat: { name: 'hp' } }] });

interface Logged {
  readonly level: string;
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

function capturingLogger(logged: Logged[]): PluginLogger {
  const log = (level: string) => (fields: Record<string, unknown> | string, message?: string) => {
    logged.push(typeof fields === 'string' ? { level, message: fields, fields: {} } : { level, message: message ?? '', fields });
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') } as PluginLogger;
}

let dataDir: string;
let logged: Logged[];

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'sluice-aggregate-'));
  logged = [];
});

afterEach(() => {
  jest.useRealTimers();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A started instance of the stage `transforms[1]` of pipeline `pokemon`, keeping its state in `dataDir`. */
async function started(config: object, context: Partial<PluginContext> = {}): Promise<AggregateTransform> {
  const prepared = prepare(aggregate, config, { context: { dataDir, pipeline: 'pokemon', stage: 'transforms[1]', logger: capturingLogger(logged), ...context } });
  const transform = aggregate.create(prepared.config, prepared.context) as AggregateTransform;
  await transform.start();
  return transform;
}

async function values(transform: Transform, record: SluiceRecord): Promise<unknown[]> {
  const result = await transform.process(record);
  return (result as SluiceRecord[]).map((output) => output.value);
}

/** Lets I/O run until `condition` holds (the file system is not faked); fails after 10 s. */
async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const stateFile = () => stateFilePath(dataDir, 'pokemon', 'transforms[1]');

describe('aggregate: state persistence', () => {
  it('saves the state on stop under <dataDir>/state/<pipeline>/<sanitised stage>.aggregate.json', async () => {
    expect(stateFilePath('/data', 'pokemon', 'transforms[1]')).toMatch(/^\/data\/state\/pokemon\/transforms_1_~[0-9a-f]{12}\.aggregate\.json$/);
    expect(stateFilePath('/data', 'pokemon', 'stats')).toBe('/data/state/pokemon/stats.aggregate.json');
    const first = await started(COUNTS);
    await first.process(makeRecord({ g: 'a', v: 2 }));
    await first.stop();
    const saved = JSON.parse(readFileSync(stateFile(), 'utf8'));
    expect(saved).toEqual({
      version: 1,
      fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      savedAt: expect.any(String),
      newestWindowEnd: null,
      groups: [{ window: null, values: ['a'], totals: [[1, 1, 1, 1], [1, 2, 2, 2]] }],
    });
    expect(existsSync(`${stateFile()}.tmp`)).toBe(false);
  });

  it('gives stages (and pipelines) whose names differ only in characters a file name cannot hold state files of their own', async () => {
    expect(stateFilePath('/data', 'p', 'routes.hp stats.transforms[0]')).not.toBe(stateFilePath('/data', 'p', 'routes.hp_stats.transforms[0]'));
    expect(stateFilePath('/data', 'a/b', 's')).not.toBe(stateFilePath('/data', 'a_b', 's'));
    const spaced = await started(COUNTS, { stage: 'routes.hp stats.transforms[0]' });
    const underscored = await started(COUNTS, { stage: 'routes.hp_stats.transforms[0]' });
    await spaced.process(makeRecord({ g: 'a', v: 1 }));
    await underscored.process(makeRecord({ g: 'b', v: 1 }));
    await Promise.all([spaced.stop(), underscored.stop()]);
    const restarted = await started(COUNTS, { stage: 'routes.hp stats.transforms[0]' });
    expect(await values(restarted, makeRecord({ g: 'a', v: 1 }))).toEqual([{ g: 'a', n: 2, total: 2 }]);
    await restarted.stop();
  });

  it('continues from the saved state after a restart (start → process → stop → new instance → start)', async () => {
    const first = await started(COUNTS);
    await first.process(makeRecord({ g: 'a', v: 2 }));
    await first.process(makeRecord({ g: 'b', v: 1 }));
    await first.stop();
    const second = await started(COUNTS);
    expect((await second.health()).details).toEqual(expect.objectContaining({ groups: 2 }));
    expect(await values(second, makeRecord({ g: 'a', v: 5 }))).toEqual([{ g: 'a', n: 2, total: 7 }]);
    expect(logged).toContainEqual(expect.objectContaining({ level: 'info', message: 'aggregate state restored', fields: expect.objectContaining({ groups: 2 }) }));
    await second.stop();
  });

  it('restores distinct entities: records redelivered after a restart do not count twice', async () => {
    const first = await started(STATS);
    await first.process(poke(1, 45));
    await first.process(poke(6, 78));
    await first.stop();
    const second = await started(STATS);
    expect(await values(second, poke(6, 78))).toEqual([{ stat_type: 'hp', avg_value: 61.5, max_value: 78, min_value: 45, count_pokemon: 2 }]);
    // The restored entity's values take part in min/max recomputation.
    expect(await values(second, poke(1, 100))).toEqual([{ stat_type: 'hp', avg_value: 89, max_value: 100, min_value: 78, count_pokemon: 2 }]);
    await second.stop();
  });

  it('keeps sums exact for integers across a restart, after the entities with decimal values were replaced', async () => {
    const config = { groupBy: { g: '"all"' }, distinct: 'id', metrics: { total: { fn: 'sum', of: 'v' } }, updatedAtField: '' };
    const first = await started(config);
    for (const [id, v] of [[1, 0.1], [2, 0.2], [3, 3]]) await first.process(makeRecord({ id, v }));
    await first.stop();
    const second = await started(config);
    await second.process(makeRecord({ id: 1, v: 1 }));
    expect(await values(second, makeRecord({ id: 2, v: 2 }))).toEqual([{ g: 'all', total: 6 }]);
    await second.stop();
  });

  it('restores windows and the newest window end: a record for a window closed before the restart stays late', async () => {
    const config = { ...COUNTS, window: { sizeMs: HOUR, allowedLatenessMs: 0 } };
    const first = await started(config);
    await first.process(makeRecord({ g: 'a', v: 1 }, { timestamp: 10 }));
    await first.process(makeRecord({ g: 'a', v: 1 }, { timestamp: HOUR + 10 }));
    await first.stop();
    const second = await started(config);
    expect((await second.health()).details).toEqual(expect.objectContaining({ groups: 1, windowsOpen: 1 }));
    expect(() => second.process(makeRecord({ g: 'a', v: 1 }, { timestamp: 20 }))).toThrow('late record for closed window [1970-01-01T00:00:00.000Z, 1970-01-01T01:00:00.000Z)');
    expect(await values(second, makeRecord({ g: 'a', v: 3 }, { timestamp: HOUR + 20 }))).toEqual([
      { g: 'a', window_start: '1970-01-01T01:00:00.000Z', window_end: '1970-01-01T02:00:00.000Z', n: 2, total: 4 },
    ]);
    await second.stop();
  });

  it('ignores, with a warning, a state saved for another groupBy/each/metrics/distinct/window', async () => {
    const first = await started(COUNTS);
    await first.process(makeRecord({ g: 'a', v: 2 }));
    await first.stop();
    const changed = await started({ ...COUNTS, metrics: { n: { fn: 'count' }, total: { fn: 'sum', of: 'v * 100' } } });
    expect((await changed.health()).details).toEqual(expect.objectContaining({ groups: 0 }));
    expect(logged).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('written for another groupBy/each/metrics/distinct/window config') }));
    expect(await values(changed, makeRecord({ g: 'a', v: 2 }))).toEqual([{ g: 'a', n: 1, total: 200 }]);
    await changed.stop();
  });

  it('keeps the state when only options that do not change its meaning change (lateness, field names, passThrough)', async () => {
    const config = { ...COUNTS, window: { sizeMs: HOUR } };
    const first = await started(config);
    await first.process(makeRecord({ g: 'a', v: 2 }, { timestamp: 0 }));
    await first.stop();
    const second = await started({ ...config, window: { sizeMs: HOUR, allowedLatenessMs: 5 * HOUR }, windowStartField: 'from', passThrough: true });
    expect((await second.health()).details).toEqual(expect.objectContaining({ groups: 1 }));
    await second.stop();
  });

  it.each([
    ['not JSON', '{"version": 1, "fingerp'],
    ['an unknown format', JSON.stringify({ version: 99 })],
  ])('ignores, with a warning, a state file that is %s', async (_label, text) => {
    mkdirSync(dirname(stateFile()), { recursive: true });
    writeFileSync(stateFile(), text);
    const transform = await started(COUNTS);
    expect((await transform.health()).details).toEqual(expect.objectContaining({ groups: 0 }));
    expect(logged.filter((entry) => entry.level === 'warn')).toHaveLength(1);
    expect(await values(transform, makeRecord({ g: 'a', v: 1 }))).toEqual([{ g: 'a', n: 1, total: 1 }]);
    await transform.stop();
  });

  it('ignores, with a warning, a state file with the right fingerprint but a corrupt body', async () => {
    const first = await started(COUNTS);
    await first.process(makeRecord({ g: 'a', v: 2 }));
    await first.stop();
    const saved = JSON.parse(readFileSync(stateFile(), 'utf8'));
    writeFileSync(stateFile(), JSON.stringify({ ...saved, groups: [{ window: null, values: ['a'], totals: [[1, 'x', null, null]] }] }));
    const second = await started(COUNTS);
    expect((await second.health()).details).toEqual(expect.objectContaining({ groups: 0 }));
    expect(logged).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'aggregate state file is corrupt; starting without it', fields: expect.objectContaining({ err: 'groups[0].totals is not 2 [n, sum, min, max] entries' }) }),
    );
    await second.stop();
  });

  it('writes no file with persistState: false', async () => {
    const transform = await started({ ...COUNTS, persistState: false });
    await transform.process(makeRecord({ g: 'a', v: 2 }));
    await transform.stop();
    expect(existsSync(join(dataDir, 'state'))).toBe(false);
    await expect(transform.actions.snapshot!.run({}, new AbortController().signal)).rejects.toThrow('persistState is false: this stage keeps no state file');
  });

  it('saves on flush, before the runtime acknowledges the batch, only when the state changed', async () => {
    const transform = await started(COUNTS);
    await transform.process(makeRecord({ g: 'a', v: 2 }));
    expect(existsSync(stateFile())).toBe(false);
    await transform.flush();
    expect(JSON.parse(readFileSync(stateFile(), 'utf8')).groups).toEqual([{ window: null, values: ['a'], totals: [[1, 1, 1, 1], [1, 2, 2, 2]] }]);
    const savedAt = transform.health().details!.lastSavedAt;
    await transform.flush();
    expect(transform.health().details!.lastSavedAt).toBe(savedAt);
    await transform.stop();
  });

  it('refuses the flush (so the batch is delivered again) when the state cannot be saved', async () => {
    writeFileSync(join(dataDir, 'state'), 'a file where the state folder should be');
    const transform = await started(COUNTS);
    await transform.process(makeRecord({ g: 'a', v: 2 }));
    await expect(transform.flush()).rejects.toThrow();
    await transform.stop();
  });

  it('with saveBeforeAck false: saves snapshotIntervalMs after a change, on an unref\'d timer, without waiting for stop', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'performance'] });
    const transform = await started({ ...COUNTS, saveBeforeAck: false, snapshotIntervalMs: 5_000 });
    await transform.flush();
    await transform.process(makeRecord({ g: 'a', v: 2 }));
    await transform.process(makeRecord({ g: 'a', v: 3 }));
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(4_999);
    expect(existsSync(stateFile())).toBe(false);
    jest.advanceTimersByTime(1);
    await waitFor(() => transform.health().details!.lastSavedAt !== null);
    expect(JSON.parse(readFileSync(stateFile(), 'utf8')).groups).toEqual([{ window: null, values: ['a'], totals: [[2, 2, 1, 1], [2, 5, 2, 3]] }]);
    // Nothing changed since: no timer. The next change schedules the next save.
    expect(jest.getTimerCount()).toBe(0);
    await transform.process(makeRecord({ g: 'b', v: 1 }));
    expect(jest.getTimerCount()).toBe(1);
    await transform.stop();
    expect(jest.getTimerCount()).toBe(0);
    expect(JSON.parse(readFileSync(stateFile(), 'utf8')).groups).toHaveLength(2);
  });

  it('logs, without failing the stop, a state that cannot be saved', async () => {
    writeFileSync(join(dataDir, 'state'), 'a file where the state folder should be');
    const transform = await started(COUNTS);
    await transform.process(makeRecord({ g: 'a', v: 2 }));
    await expect(transform.stop()).resolves.toBeUndefined();
    expect(logged).toContainEqual(expect.objectContaining({ level: 'error', message: 'cannot save the aggregate state on stop; the changes since the last save are lost', fields: expect.objectContaining({ file: stateFile() }) }));
    await expect(transform.actions.snapshot!.run({}, new AbortController().signal)).rejects.toThrow(/EEXIST|ENOTDIR/);
  });

  it('does not keep the process alive with its save timer (unref)', async () => {
    const transform = await started({ ...COUNTS, snapshotIntervalMs: 600_000 });
    const refTimers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const before = refTimers();
    transform.process(makeRecord({ g: 'a', v: 2 }));
    expect(refTimers()).toBe(before);
    await transform.stop();
    expect(existsSync(stateFile())).toBe(true);
  });
});

describe('aggregate: actions and health', () => {
  it('describes its actions', async () => {
    const transform = await started(COUNTS);
    expect(Object.keys(transform.actions)).toEqual(['reset', 'snapshot']);
    for (const action of Object.values(transform.actions)) expect(action.description.length).toBeGreaterThan(30);
    await transform.stop();
  });

  it('snapshot saves the state file now and reports the groups and the file', async () => {
    const transform = await started(COUNTS);
    await transform.process(makeRecord({ g: 'a', v: 2 }));
    await transform.process(makeRecord({ g: 'b', v: 2 }));
    expect(await transform.actions.snapshot!.run({}, new AbortController().signal)).toEqual({ groups: 2, file: stateFile() });
    expect(JSON.parse(readFileSync(stateFile(), 'utf8')).groups).toHaveLength(2);
    expect(transform.health().details!.lastSavedAt).toEqual(expect.stringMatching(/Z$/));
    await transform.stop();
  });

  it('reset clears the groups, entities and windows and deletes the state file', async () => {
    const config = { ...STATS, window: { sizeMs: HOUR, allowedLatenessMs: 0 } };
    const transform = await started(config);
    await transform.process(makeRecord({ id: 1, stats: [{ base_stat: 10, stat: { name: 'hp' } }, { base_stat: 20, stat: { name: 'speed' } }] }, { timestamp: HOUR }));
    await transform.actions.snapshot!.run({}, new AbortController().signal);
    expect(existsSync(stateFile())).toBe(true);
    expect(await transform.actions.reset!.run({}, new AbortController().signal)).toEqual({ groups: 2 });
    expect(existsSync(stateFile())).toBe(false);
    expect(transform.health().details).toEqual(expect.objectContaining({ groups: 0, windowsOpen: 0 }));
    // Entities and the newest window end are gone too: an earlier window is not late any more.
    expect(await values(transform, makeRecord({ id: 1, stats: [{ base_stat: 30, stat: { name: 'hp' } }] }, { timestamp: 0 }))).toEqual([
      { stat_type: 'hp', window_start: '1970-01-01T00:00:00.000Z', window_end: '1970-01-01T01:00:00.000Z', avg_value: 30, max_value: 30, min_value: 30, count_pokemon: 1 },
    ]);
    expect(await transform.actions.reset!.run({}, new AbortController().signal)).toEqual({ groups: 1 });
    await transform.stop();
    // A new instance starts empty (stop saved the empty state).
    const next = await started(config);
    expect(next.health().details).toEqual(expect.objectContaining({ groups: 0 }));
    await next.stop();
  });

  it('reports groups, windows open and the state file in health', async () => {
    const transform = await started({ ...COUNTS, window: { sizeMs: HOUR }, maxGroups: 50 });
    await transform.process(makeRecord({ g: 'a', v: 1 }, { timestamp: 0 }));
    await transform.process(makeRecord({ g: 'b', v: 1 }, { timestamp: HOUR }));
    expect(transform.health()).toEqual({ status: 'up', details: { groups: 2, maxGroups: 50, windowsOpen: 2, stateFile: stateFile(), lastSavedAt: null } });
    await transform.stop();
    const unwindowed = await started({ ...COUNTS, persistState: false });
    expect(unwindowed.health()).toEqual({ status: 'up', details: { groups: 0, maxGroups: 100_000, windowsOpen: 0 } });
  });
});
