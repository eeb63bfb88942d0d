import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { prepare, runSource, type Clock, type PluginLogger, type SourceRecord } from '@sluice/sdk';
import { recordedApis, startFixtureServer, type FixtureServer } from '../../test/fixtures/http/fixture-server.js';
import http from './index.js';
import { HttpSource, type HttpSourceOptions } from './http-source.js';
import { FETCHED_AT_HEADER, POLL_LANE, STATUS_HEADER, URL_HEADER } from './response-records.js';

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer(async (request, response, api) => {
    const url = new URL(request.url, api.baseUrl);
    // Link-header pagination over the randomuser pages.
    if (url.pathname === '/linked/') {
      const page = Number(url.searchParams.get('page') ?? '1');
      const link: Record<string, string> = page === 1 ? { link: '</linked/?page=2&results=3>; rel="next", </linked/?page=2&results=3>; rel="last"' } : {};
      return api.sendFixture(response, `randomuser/page-${page}.json`, 200, link);
    }
    // Cursor pagination with a POST body: cursors "" → "c2" → end.
    if (url.pathname === '/search' && request.method === 'POST') {
      const { cursor } = JSON.parse(request.body) as { cursor: string };
      if (cursor === '') return api.sendJson(response, { data: [{ id: 'a' }, { id: 'b' }], meta: { next_cursor: 'c2' } });
      if (cursor === 'c2') return api.sendJson(response, { data: [{ id: 'c' }], meta: { next_cursor: null } });
      return api.sendJson(response, { error: `unknown cursor ${cursor}` }, 400);
    }
    // A next URL on another origin (localhost ≠ 127.0.0.1).
    if (url.pathname === '/elsewhere') {
      return api.sendJson(response, { items: [{ id: 1 }], next: `${api.baseUrl.replace('127.0.0.1', 'localhost')}/elsewhere?page=2` });
    }
    // A next URL that points back at the same page.
    if (url.pathname === '/loop') return api.sendJson(response, { items: [{ id: 1 }], next: '/loop' });
    return recordedApis(request, response, api);
  });
});
afterAll(() => server.close());

/** Requests the server received since `from`, path and query only. */
const seenSince = (from: number) => server.requests.slice(from).map((r) => r.url);

interface LogLine {
  readonly level: string;
  readonly text: string;
}

function capturingLogger(lines: LogLine[]): PluginLogger {
  const log = (level: string) => (fields: unknown, message?: string) => lines.push({ level, text: JSON.stringify([fields, message]) });
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') } as PluginLogger;
}

/** A fake wall clock whose sleeps advance it at once and are recorded. */
class FakeTime {
  now: number;
  readonly waits: number[] = [];
  readonly clock: Clock = { now: () => this.now };
  readonly sleep = async (ms: number) => {
    this.waits.push(ms);
    this.now += ms;
  };
  constructor(iso = '2025-06-01T12:00:00.000Z') {
    this.now = Date.parse(iso);
  }
}

/** A source built exactly as the host would, with test doubles for time, env or randomness. */
async function open(raw: Record<string, unknown>, options: HttpSourceOptions = {}, checkpoint = {}, logs: LogLine[] = []) {
  const { config, context } = prepare(http, raw, { context: { logger: capturingLogger(logs) } });
  const source = new HttpSource(config, context, options);
  await source.start({ checkpoint, signal: new AbortController().signal });
  return source;
}

const read = async (source: HttpSource) => (await source.read(new AbortController().signal)) as SourceRecord[];

describe('http source: records from PokeAPI- and randomuser-shaped answers', () => {
  it('makes one record of a whole PokeAPI body, keyed by id, with the http headers and the poll position', async () => {
    const before = Date.now();
    const result = await runSource(http, { url: `${server.baseUrl}/api/v2/pokemon/{{randomInt 25 25}}`, intervalMs: 60_000, keyPath: 'id' }, { maxRecords: 1 });
    expect(result.failures).toEqual([]);
    const [pikachu] = result.records;
    expect(pikachu.key).toBe('25');
    const value = pikachu.value as { name: string; height: number; weight: number; base_experience: number; types: Array<{ type: { name: string } }>; abilities: Array<{ ability: { name: string } }>; stats: Array<{ base_stat: number; stat: { name: string } }> };
    expect(value).toMatchObject({ name: 'pikachu', height: 4, weight: 60, base_experience: 112 });
    expect(value.types.map((t) => t.type.name)).toEqual(['electric']);
    expect(value.abilities.map((a) => a.ability.name)).toEqual(['static', 'lightning-rod']);
    expect(Object.fromEntries(value.stats.map((s) => [s.stat.name, s.base_stat]))).toEqual({ hp: 35, attack: 55, defense: 40, 'special-attack': 50, 'special-defense': 50, speed: 90 });
    expect(pikachu.headers[URL_HEADER]).toBe(`${server.baseUrl}/api/v2/pokemon/25`);
    expect(pikachu.headers[STATUS_HEADER]).toBe('200');
    expect(Date.parse(pikachu.headers[FETCHED_AT_HEADER])).toBeGreaterThanOrEqual(before - 1000);
    expect(pikachu.timestamp).toBe(Date.parse(pikachu.headers[FETCHED_AT_HEADER]));
    expect(pikachu.origin).toMatchObject({ source: 'http', lane: POLL_LANE, offset: 0 });
  });

  it('makes one record per randomuser result, keyed by login.uuid', async () => {
    const from = server.requests.length;
    const result = await runSource(http, { url: `${server.baseUrl}/api/?results=3&seed=sluice`, intervalMs: 60_000, recordsPath: 'results', keyPath: 'login.uuid' }, { maxRecords: 3 });
    expect(result.records.map((r) => r.key)).toEqual(['1d686be8-1498-4330-90d9-ee039d0c7c7a', '1f67ec6d-0f42-4433-9ce8-3b55a6a03fb1', 'bfb772c1-a766-4313-ab93-d70ea475a755']);
    const first = result.records[0].value as Record<string, any>;
    expect(first.name).toEqual({ title: 'Ms', first: 'Aurélie', last: 'Fontaine' });
    expect(first.location.street).toEqual({ number: 4127, name: "Rue de L'Abbé-Groult" });
    expect(first.picture.medium).toBe('https://randomuser.me/api/portraits/med/women/64.jpg');
    expect(result.records.every((r) => r.origin.offset === 0)).toBe(true);
    expect(result.checkpoint).toEqual({ [POLL_LANE]: 0 });
    expect(seenSince(from)).toEqual(['/api/?results=3&seed=sluice']);
    expect(server.requests[from].headers).toMatchObject({ accept: 'application/json', 'user-agent': 'sluice-http-source/1.0' });
  });

  it('draws random ids within the range, the same ones for the same seed, other ones for another seed', async () => {
    const ids = async (seed: number) => {
      const result = await runSource(http, { url: `${server.baseUrl}/api/v2/pokemon/{{randomInt 1 1025}}`, intervalMs: 1, seed, keyPath: 'id' }, { maxRecords: 12 });
      expect(result.failures).toEqual([]);
      return result.records.map((r) => Number(r.key));
    };
    const a = await ids(7);
    expect(a).toHaveLength(12);
    expect(a.every((id) => Number.isInteger(id) && id >= 1 && id <= 1025)).toBe(true);
    expect(new Set(a).size).toBeGreaterThan(8);
    expect(await ids(7)).toEqual(a);
    expect(await ids(8)).not.toEqual(a);
  });

  it('continues the poll sequence after a checkpoint, with the same seeded draws as an uninterrupted run', async () => {
    const raw = { url: `${server.baseUrl}/api/v2/pokemon/{{randomInt 1 1025}}`, intervalMs: 1, seed: 99, keyPath: 'id' };
    const whole = await runSource(http, raw, { maxRecords: 5 });
    const resumed = await runSource(http, raw, { maxRecords: 2, checkpoint: { [POLL_LANE]: 2 } });
    expect(resumed.records.map((r) => r.origin.offset)).toEqual([3, 4]);
    expect(resumed.records.map((r) => r.key)).toEqual(whole.records.slice(3).map((r) => r.key));
  });

  it('rejects a checkpoint that is not a poll number', async () => {
    await expect(open({ url: `${server.baseUrl}/api/`, intervalMs: 10 }, {}, { [POLL_LANE]: 'x' })).rejects.toThrow('expected a poll sequence number');
  });
});

describe('http source: pagination', () => {
  it('follows the next URL found at nextPath, up to maxPages', async () => {
    const from = server.requests.length;
    const source = await open({ url: `${server.baseUrl}/api/v2/pokemon?offset=0&limit=3`, intervalMs: 60_000, recordsPath: 'results', keyPath: 'name', nextPath: 'next', maxPages: 2 });
    const records = await read(source);
    expect(records.map((r) => r.key)).toEqual(['bulbasaur', 'ivysaur', 'venusaur', 'charmander', 'charmeleon', 'charizard']);
    expect(seenSince(from)).toEqual(['/api/v2/pokemon?offset=0&limit=3', '/api/v2/pokemon?offset=3&limit=3']);
    expect(records[3].headers?.[URL_HEADER]).toBe(`${server.baseUrl}/api/v2/pokemon?offset=3&limit=3`);
    expect(records.every((r) => r.position?.offset === 0)).toBe(true);
  });

  it('follows the Link header until a page has no next link', async () => {
    const from = server.requests.length;
    const source = await open({ url: `${server.baseUrl}/linked/?page=1&results=3`, intervalMs: 60_000, recordsPath: 'results', keyPath: 'login.username', followLinkHeader: true });
    const records = await read(source);
    expect(records.map((r) => r.key)).toEqual(['silverswan482', 'bigbutterfly305', 'redleopard771', 'tinymouse916', 'greenkoala227']);
    expect(seenSince(from)).toEqual(['/linked/?page=1&results=3', '/linked/?page=2&results=3']);
  });

  it('counts {{page}} up from firstPage until a page has no records', async () => {
    const from = server.requests.length;
    const source = await open({ url: `${server.baseUrl}/api/?page={{page}}&results=3&seed=sluice`, intervalMs: 60_000, recordsPath: 'results', keyPath: 'login.uuid' });
    const records = await read(source);
    expect(records).toHaveLength(5);
    expect(seenSince(from)).toEqual(['/api/?page=1&results=3&seed=sluice', '/api/?page=2&results=3&seed=sluice', '/api/?page=3&results=3&seed=sluice']);
    const capped = await open({ url: `${server.baseUrl}/api/?page={{page}}&results=3&seed=sluice`, intervalMs: 60_000, recordsPath: 'results', maxPages: 1 });
    expect(await read(capped)).toHaveLength(3);
  });

  it('sends the cursor read at nextPath in a POST body', async () => {
    const from = server.requests.length;
    const source = await open({ url: `${server.baseUrl}/search`, method: 'POST', body: { cursor: '{{cursor}}', size: 2 }, intervalMs: 60_000, recordsPath: 'data', keyPath: 'id', nextPath: 'meta.next_cursor' });
    const records = await read(source);
    expect(records.map((r) => r.key)).toEqual(['a', 'b', 'c']);
    expect(server.requests.slice(from).map((r) => [r.method, r.body, r.headers['content-type']])).toEqual([
      ['POST', '{"cursor":"","size":2}', 'application/json'],
      ['POST', '{"cursor":"c2","size":2}', 'application/json'],
    ]);
  });

  it('does not follow a next URL on another origin, nor one already fetched', async () => {
    const logs: LogLine[] = [];
    const elsewhere = await open({ url: `${server.baseUrl}/elsewhere`, intervalMs: 60_000, recordsPath: 'items', nextPath: 'next' }, {}, {}, logs);
    expect(await read(elsewhere)).toHaveLength(1);
    expect(logs.some((l) => l.level === 'warn' && l.text.includes('another origin'))).toBe(true);
    const from = server.requests.length;
    const loop = await open({ url: `${server.baseUrl}/loop`, intervalMs: 60_000, recordsPath: 'items', nextPath: 'next' }, {}, {}, logs);
    expect(await read(loop)).toHaveLength(1);
    expect(seenSince(from)).toEqual(['/loop']);
    expect(logs.some((l) => l.text.includes('already fetched'))).toBe(true);
  });
});

describe('http source: schedule', () => {
  it('waits a random interval within [min, max] before every poll (injected clock and sleep)', async () => {
    const time = new FakeTime();
    const source = await open({ url: `${server.baseUrl}/api/v2/pokemon/25`, randomIntervalMs: { min: 3000, max: 8000 }, seed: 3 }, { clock: time.clock, sleep: time.sleep });
    const starts: number[] = [];
    for (let i = 0; i < 15; i++) {
      expect(await read(source)).toHaveLength(1);
      starts.push(Date.parse(source.health().details?.lastPollAt as string));
    }
    const gaps = starts.slice(1).map((start, i) => start - starts[i]);
    expect(gaps.every((gap) => gap >= 3000 && gap <= 8000)).toBe(true);
    expect(new Set(gaps).size).toBeGreaterThan(5);
    expect(time.waits.every((w) => w >= 3000 && w <= 8000)).toBe(true);
  });

  it('polls at once on start by default, else waits for the first scheduled time', async () => {
    const eager = new FakeTime();
    await read(await open({ url: `${server.baseUrl}/api/v2/pokemon/25`, intervalMs: 5000 }, { clock: eager.clock, sleep: eager.sleep }));
    expect(eager.waits).toEqual([]);
    const patient = new FakeTime();
    const source = await open({ url: `${server.baseUrl}/api/v2/pokemon/25`, intervalMs: 5000, pollOnStart: false }, { clock: patient.clock, sleep: patient.sleep });
    await read(source);
    await read(source);
    expect(patient.waits).toEqual([5000, 5000]);
  });

  it('polls at the cron fire times', async () => {
    const time = new FakeTime('2025-06-01T12:00:02.000Z');
    const source = await open({ url: `${server.baseUrl}/api/v2/pokemon/25`, cron: '*/5 * * * * *', timeZone: 'UTC', pollOnStart: false }, { clock: time.clock, sleep: time.sleep });
    await read(source);
    expect(source.health().details?.lastPollAt).toBe('2025-06-01T12:00:05.000Z');
    await read(source);
    expect(source.health().details?.lastPollAt).toBe('2025-06-01T12:00:10.000Z');
    expect(source.health().details?.nextPollAt).toBe('2025-06-01T12:00:15.000Z');
    expect(time.waits).toEqual([3000, 5000]);
  });

  it('returns promptly with no records when stopped while waiting', async () => {
    const from = server.requests.length;
    const source = await open({ url: `${server.baseUrl}/api/v2/pokemon/25`, intervalMs: 3_600_000, pollOnStart: false });
    const controller = new AbortController();
    const reading = source.read(controller.signal);
    setTimeout(() => controller.abort(), 20);
    await expect(reading).resolves.toEqual([]);
    expect(seenSince(from)).toEqual([]);
    expect(source.health().details).toMatchObject({ polls: 0, nextPoll: 0 });
  });
});

describe('http source: health and environment', () => {
  it('reports polls, the last status and the time of the next poll', async () => {
    const time = new FakeTime();
    const source = await open({ url: `${server.baseUrl}/api/v2/pokemon/25`, intervalMs: 5000 }, { clock: time.clock, sleep: time.sleep });
    expect(source.health()).toMatchObject({ status: 'up', details: { polls: 0, consecutiveFailures: 0, schedule: 'every 5000 ms' } });
    await read(source);
    expect(source.health()).toEqual({
      status: 'up',
      details: {
        url: `${server.baseUrl}/api/v2/pokemon/25`,
        schedule: 'every 5000 ms',
        polls: 1,
        records: 1,
        nextPoll: 1,
        nextPollAt: '2025-06-01T12:00:05.000Z',
        lastPollAt: '2025-06-01T12:00:00.000Z',
        lastOutcome: 'ok',
        lastStatus: 200,
        consecutiveFailures: 0,
      },
    });
  });

  it('reads {{env}} values per request and never shows them', async () => {
    const from = server.requests.length;
    const logs: LogLine[] = [];
    const source = await open({ url: `${server.baseUrl}/api/v2/pokemon/25?api_key={{env POKE_KEY}}`, intervalMs: 1000, headers: { 'X-Trace': '{{env TRACE}}' } }, { env: { POKE_KEY: 'k&1', TRACE: 't-9' } }, {}, logs);
    const [record] = await read(source);
    expect(server.requests[from].url).toBe('/api/v2/pokemon/25?api_key=k%261');
    expect(server.requests[from].headers['x-trace']).toBe('t-9');
    expect(record.headers?.[URL_HEADER]).toBe(`${server.baseUrl}/api/v2/pokemon/25?api_key=REDACTED`);
    expect(JSON.stringify(source.health())).not.toContain('k%261');
    expect(logs.map((l) => l.text).join('\n')).not.toMatch(/k%261|k&1|t-9/);
  });

  it('refuses to start when an {{env}} variable is not set', async () => {
    await expect(open({ url: `${server.baseUrl}/x?k={{env SLUICE_HTTP_TEST_UNSET}}`, intervalMs: 10 }, { env: {} })).rejects.toThrow(
      'http: the request uses {{env SLUICE_HTTP_TEST_UNSET}}, but that environment variable is not set',
    );
  });
});
