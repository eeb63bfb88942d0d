import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isTriggerable, prepare, type Clock, type PluginLogger, type SourceRecord } from '@sluice/sdk';
import { startFixtureServer, type FixtureServer } from '../../test/fixtures/http/fixture-server.js';
import http from './index.js';
import { createHttpSource, HttpSource, TriggerableHttpSource, type HttpSourceOptions } from './http-source.js';
import { POLL_LANE } from './response-records.js';

// The triggered mode: with `trigger` the source polls when a job tells it to (only then, without
// a schedule; besides the schedule, with one). Against a local server that numbers its answers.

let server: FixtureServer;
/** Requests to /gate wait until the test opens it. */
let openGate: () => void = () => undefined;
let gate: Promise<void> = Promise.resolve();
function closeGate(): void {
  gate = new Promise<void>((resolve) => (openGate = resolve));
}

beforeAll(async () => {
  let served = 0;
  server = await startFixtureServer(async (request, response, api) => {
    const url = new URL(request.url, api.baseUrl);
    if (url.pathname === '/items') {
      served++;
      return api.sendJson(response, { items: [{ id: `${served}-a` }, { id: `${served}-b` }] });
    }
    if (url.pathname === '/gate') {
      await Promise.race([gate, new Promise<void>((resolve) => response.on('close', () => resolve()))]);
      if (!response.destroyed) api.sendJson(response, { items: [{ id: 'gated' }] });
    }
  });
});
afterAll(() => server.close());

const requestsTo = (path: string, from = 0) => server.requests.slice(from).filter((r) => new URL(r.url, server.baseUrl).pathname === path).length;

const quiet: PluginLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as PluginLogger;

/** A fake wall clock whose sleeps advance it at once and are recorded. */
class FakeTime {
  now = Date.parse('2025-06-01T12:00:00.000Z');
  readonly waits: number[] = [];
  readonly clock: Clock = { now: () => this.now };
  readonly sleep = async (ms: number) => {
    this.waits.push(ms);
    this.now += ms;
  };
}

async function open(raw: Record<string, unknown>, options: HttpSourceOptions = {}): Promise<HttpSource> {
  const { config, context } = prepare(http, raw, { context: { logger: quiet } });
  const source = createHttpSource(config, context, options);
  await source.start({ checkpoint: {}, signal: new AbortController().signal });
  return source;
}

/** Reads in a loop as the runtime does, collecting the records, until stopped. */
function pump(source: HttpSource): { records: SourceRecord[]; stop(): Promise<void> } {
  const records: SourceRecord[] = [];
  const controller = new AbortController();
  const loop = (async () => {
    while (!controller.signal.aborted) {
      const batch = await source.read(controller.signal);
      if (batch === null) return;
      records.push(...batch);
    }
  })();
  return {
    records,
    stop: async () => {
      controller.abort();
      await loop;
      await source.stop();
    },
  };
}

async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

const signal = () => new AbortController().signal;

describe('http source: triggered mode', () => {
  it('offers trigger() only when configured with `trigger`', async () => {
    const plain = await open({ url: `${server.baseUrl}/items`, intervalMs: 60_000 });
    expect(isTriggerable(plain)).toBe(false);
    expect(plain).not.toBeInstanceOf(TriggerableHttpSource);
    const { config, context } = prepare(http, { url: `${server.baseUrl}/items`, trigger: {} }, { context: { logger: quiet } });
    expect(isTriggerable(http.create(config, context))).toBe(true);
    expect(config.trigger).toMatchObject({ polls: 1, spacingMs: 0 });
  });

  it('without a schedule polls only when triggered (pollOnStart ignored), and resolves once the records were handed out', async () => {
    const time = new FakeTime();
    const from = server.requests.length;
    const source = (await open({ url: `${server.baseUrl}/items`, recordsPath: 'items', keyPath: 'id', trigger: { polls: 3, spacingMs: 250 }, pollOnStart: true }, { clock: time.clock, sleep: time.sleep })) as TriggerableHttpSource;
    expect(source.health().details).toMatchObject({ schedule: 'when triggered', polls: 0, triggeredRuns: 0, triggeredRunUnderWay: false });
    expect(source.health().details).not.toHaveProperty('nextPollAt');
    const reader = pump(source);
    const result = await source.trigger(signal());
    expect(result).toEqual({ records: 6, details: { polls: 3, requests: 3 } });
    expect(reader.records).toHaveLength(6);
    expect(requestsTo('/items', from)).toBe(3);
    expect(time.waits).toEqual([250, 250]);
    expect(reader.records.map((r) => r.position)).toEqual([0, 0, 1, 1, 2, 2].map((offset) => ({ lane: POLL_LANE, offset })));
    expect(source.health().details).toMatchObject({ polls: 3, records: 6, triggeredRuns: 1, triggeredRunUnderWay: false });

    // A second trigger makes another run, numbered on from the first.
    expect(await source.trigger(signal())).toEqual({ records: 6, details: { polls: 3, requests: 3 } });
    expect(reader.records.slice(6).map((r) => (r.position as { offset: number }).offset)).toEqual([3, 3, 4, 4, 5, 5]);
    await reader.stop();
  });

  it('spaces the polls of a run by a random wait within [min, max]', async () => {
    const time = new FakeTime();
    const source = (await open({ url: `${server.baseUrl}/items`, recordsPath: 'items', seed: 4, trigger: { polls: 8, randomSpacingMs: { min: 100, max: 200 } } }, { clock: time.clock, sleep: time.sleep })) as TriggerableHttpSource;
    const reader = pump(source);
    await source.trigger(signal());
    await reader.stop();
    expect(time.waits).toHaveLength(7);
    expect(time.waits.every((w) => Number.isInteger(w) && w >= 100 && w <= 200)).toBe(true);
    expect(new Set(time.waits).size).toBeGreaterThan(1);
  });

  it('with a schedule, a trigger makes an extra run and leaves the schedule as it was', async () => {
    const from = server.requests.length;
    const source = (await open({ url: `${server.baseUrl}/items`, recordsPath: 'items', intervalMs: 3_600_000, pollOnStart: false, trigger: { polls: 2 } })) as TriggerableHttpSource;
    const nextPollAt = source.health().details?.nextPollAt;
    expect(source.health().details?.schedule).toBe('every 3600000 ms, and when triggered');
    const reader = pump(source);
    expect(await source.trigger(signal())).toEqual({ records: 4, details: { polls: 2, requests: 2 } });
    expect(requestsTo('/items', from)).toBe(2);
    expect(source.health().details).toMatchObject({ polls: 2, nextPollAt });
    await reader.stop();
  });

  it('refuses a trigger while a run is under way, and aborting a run stops its poll', async () => {
    closeGate();
    const source = (await open({ url: `${server.baseUrl}/gate`, recordsPath: 'items', trigger: {} })) as TriggerableHttpSource;
    const reader = pump(source);
    const from = server.requests.length;
    const first = new AbortController();
    const running = source.trigger(first.signal);
    await eventually(() => requestsTo('/gate', from) === 1);
    await expect(source.trigger(signal())).rejects.toThrow(/a triggered run is already under way \(started at .+, 0 of 1 polls made\)/);
    first.abort(new Error('job timed out'));
    await expect(running).rejects.toThrow('job timed out');
    expect(source.health().details).toMatchObject({ polls: 0, triggeredRunUnderWay: false });

    // The source is free again: the next run goes through once the server answers.
    const next = source.trigger(signal());
    await eventually(() => requestsTo('/gate', from) === 2);
    openGate();
    expect(await next).toEqual({ records: 1, details: { polls: 1, requests: 1 } });
    expect(reader.records.map((r) => r.key ?? (r.value as { id: string }).id)).toEqual(['gated']);
    await reader.stop();
  });

  it('serves a trigger that came before the source started once it reads', async () => {
    const { config, context } = prepare(http, { url: `${server.baseUrl}/items`, recordsPath: 'items', trigger: {} }, { context: { logger: quiet } });
    const source = createHttpSource(config, context) as TriggerableHttpSource;
    const triggered = source.trigger(signal());
    await source.start({ checkpoint: {}, signal: signal() });
    const reader = pump(source);
    expect(await triggered).toEqual({ records: 2, details: { polls: 1, requests: 1 } });
    await reader.stop();
  });

  it('rejects a run the source stops in the middle of, and a trigger once it stopped', async () => {
    closeGate();
    const source = (await open({ url: `${server.baseUrl}/gate`, recordsPath: 'items', trigger: { polls: 2 } })) as TriggerableHttpSource;
    const reader = pump(source);
    const from = server.requests.length;
    const running = source.trigger(signal());
    await eventually(() => requestsTo('/gate', from) === 1);
    await reader.stop();
    await expect(running).rejects.toThrow('http: the source stopped before the triggered run ended (0 of 2 polls made)');
    await expect(source.trigger(signal())).rejects.toThrow('http: the source is stopped (or restarting after a crash); trigger it again later');
    openGate();
  });
});
