import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { PipelinePlan } from '#runtime';
import { planCommand } from './plan-command.js';

afterEach(() => {
  jest.restoreAllMocks();
});

/** Runs `sluice plan file [--json] [--transport]`; returns the exit code and what it printed. */
async function plan(file: string, options: { json?: boolean; transport?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const code = await planCommand(file, options);
  jest.restoreAllMocks();
  return { code, stdout, stderr };
}

async function plans(file: string, transport?: string): Promise<PipelinePlan[]> {
  const { code, stdout, stderr } = await plan(file, { json: true, ...(transport ? { transport } : {}) });
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return (JSON.parse(stdout) as { pipelines: PipelinePlan[] }).pipelines;
}

const shape = (p: PipelinePlan) => ({
  pipeline: p.pipeline,
  stages: p.stages.filter((s) => s.route === undefined).map((s) => (s.input ? `[${s.input}] ${s.stage}` : s.stage)),
  channels: p.channels.map((c) => c.reason),
});

describe('sluice plan', () => {
  it('runs each pipeline of the default config as one fused chain on the embedded transport', async () => {
    expect((await plans('config/sluice.yaml')).map(shape)).toEqual([
      { pipeline: 'vehicles', stages: ['source', 'transforms[0]', 'transforms[1]', 'sink'], channels: [] },
      { pipeline: 'sales', stages: ['source', 'transforms[0]', 'transforms[1]', 'transforms[2]', 'sink'], channels: [] },
      { pipeline: 'customers', stages: ['source', 'sink'], channels: [] },
    ]);
  });

  it('fuses both recipes on the embedded transport', async () => {
    for (const recipe of ['config/pipelines/pokemon-stream.yaml', 'config/pipelines/users-stream.yaml']) {
      const found = await plans(recipe);
      expect(found.length).toBeGreaterThanOrEqual(2);
      for (const p of found) expect(p.channels).toEqual([]);
    }
  });

  it('on Kafka puts a channel after the source (scale-out), before a fan-out and before a keyed-state transform in a route, and runs the stateless transforms in-line', async () => {
    const [ingest, processing] = await plans('config/pipelines/pokemon-stream.yaml', 'kafka');
    expect(shape(ingest)).toEqual({ pipeline: ingest.pipeline, stages: ['source', `[${ingest.pipeline}.stage-1] transforms[0]`, 'sink'], channels: ['scale-out'] });
    expect(processing.channels.map((c) => c.reason)).toEqual(['scale-out', 'fan-out', 'keyed-state']);
    expect(processing.channels[2]).toEqual({ name: `${processing.pipeline}.routes.stats.transforms-0`, from: 'routes', to: 'routes.stats.transforms[0]', reason: 'keyed-state' });
    expect(shape(processing).stages.at(-1)).toBe(`[${processing.pipeline}.stage-3] routes`);
    expect(processing.stages.find((s) => s.stage === 'routes')).toEqual({ stage: 'routes', plugin: 'fan-out', kind: 'fan-out', input: `${processing.pipeline}.stage-3` });
    expect(processing.stages.filter((s) => s.kind === 'transform' && s.stage !== 'transforms[0]' && s.plugin !== 'aggregate').every((s) => s.input === null)).toBe(true);
    // The routes' stages, in-line after the fan-out, each with its route; the aggregate behind its repartition channel.
    expect(processing.stages.filter((s) => s.route !== undefined).map((s) => [s.route, s.stage, s.plugin, s.input])).toEqual([
      ['raw', 'routes.raw.transforms[0]', 'map', null],
      ['raw', 'routes.raw.sink', 'cassandra', null],
      ['stats', 'routes.stats.transforms[0]', 'aggregate', `${processing.pipeline}.routes.stats.transforms-0`],
      ['stats', 'routes.stats.sink', 'cassandra', null],
      ['by-type', 'routes.by-type.transforms[0]', 'map', null],
      ['by-type', 'routes.by-type.sink', 'cassandra', null],
    ]);
  });

  it('prints each route of a fan-out on a line of its own', async () => {
    const { code, stdout } = await plan('config/pipelines/pokemon-stream.yaml', { transport: 'kafka' });
    expect(code).toBe(0);
    expect(stdout).toContain('transforms[1] (map) => [pokemon-process.stage-3 (fan-out)] => routes (fan-out)\n');
    expect(stdout).toContain('      route raw: routes.raw.transforms[0] (map) -> routes.raw.sink (cassandra)\n');
    expect(stdout).toContain('      route stats: => [pokemon-process.routes.stats.transforms-0 (keyed-state)] => routes.stats.transforms[0] (aggregate) -> routes.stats.sink (cassandra)\n');
    expect(stdout).toContain('      route by-type: routes.by-type.transforms[0] (map) -> routes.by-type.sink (cassandra)\n');
  });

  it('prints the plan in words', async () => {
    const { code, stdout } = await plan('config/sluice.yaml', { transport: 'kafka' });
    expect(code).toBe(0);
    expect(stdout).toContain('config/sluice.yaml: 3 pipeline(s) on the kafka transport');
    expect(stdout).toContain('vehicles: 1 channel(s), 2 fused segment(s)');
    expect(stdout).toContain('source (vehicle-simulator) => [vehicles.stage-1 (scale-out)] => transforms[0] (validate) -> transforms[1] (enrich) -> sink (sql)');
  });

  it('refuses an unknown transport', async () => {
    const { code, stderr } = await plan('config/sluice.yaml', { transport: 'nats' });
    expect(code).toBe(2);
    expect(stderr).toContain('--transport must be embedded or kafka, not "nats"');
  });
});
