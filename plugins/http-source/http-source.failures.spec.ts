import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ServerResponse } from 'node:http';
import { prepare, runSource, type Clock, type PluginLogger, type SourceRecord } from '@sluice/sdk';
import { recordedApis, startFixtureServer, type FixtureServer, type SeenRequest } from '../../test/fixtures/http/fixture-server.js';
import http from './index.js';
import { HttpSource, type HttpSourceOptions } from './http-source.js';
import type { PageFailureValue } from './response-records.js';
import { STATUS_HEADER, URL_HEADER } from './response-records.js';

/** Per-path scripts: each request to the path takes the next answer (the last one repeats). */
type Answer = (response: ServerResponse, api: FixtureServer, request: SeenRequest) => unknown;
const scripts = new Map<string, { answers: Answer[]; served: number }>();

function script(path: string, ...answers: Answer[]): string {
  scripts.set(path, { answers, served: 0 });
  return `${server.baseUrl}${path}`;
}

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer(async (request, response, api) => {
    const path = new URL(request.url, api.baseUrl).pathname;
    const scripted = scripts.get(path);
    if (!scripted) return recordedApis(request, response, api);
    const answer = scripted.answers[Math.min(scripted.served, scripted.answers.length - 1)];
    scripted.served++;
    await answer(response, api, request);
  });
});
afterAll(() => server.close());

const requestsTo = (path: string) => server.requests.filter((r) => new URL(r.url, server.baseUrl).pathname === path);

const users: Answer = (response, api) => api.sendFixture(response, 'randomuser/page-1.json');
const serverError: Answer = (response, api) => api.sendFixture(response, 'randomuser/error.json', 500);
/** Never answers; resolves once the client gave up and closed the connection. */
const hang: Answer = (response) => new Promise<void>((resolve) => response.on('close', () => resolve()));

class FakeTime {
  now = Date.parse('2025-06-01T12:00:00.000Z');
  readonly waits: number[] = [];
  readonly clock: Clock = { now: () => this.now };
  readonly sleep = async (ms: number) => {
    this.waits.push(ms);
    this.now += ms;
  };
}

function capturingLogger(lines: string[]): PluginLogger {
  const log = (fields: unknown, message?: string) => lines.push(JSON.stringify([fields, message]));
  return { debug: log, info: log, warn: log, error: log } as PluginLogger;
}

async function open(raw: Record<string, unknown>, options: HttpSourceOptions = {}, logs: string[] = []) {
  const { config, context } = prepare(http, { intervalMs: 1000, ...raw }, { context: { logger: capturingLogger(logs) } });
  const source = new HttpSource(config, context, options);
  await source.start({ checkpoint: {}, signal: new AbortController().signal });
  return source;
}

const read = async (source: HttpSource, signal = new AbortController().signal) => (await source.read(signal)) as SourceRecord[];
const fast = { maxAttempts: 3, initialBackoffMs: 1, maxBackoffMs: 2 };

describe('http source: retries', () => {
  it('retries a 5xx and returns the records of the answer that follows', async () => {
    const url = script('/flaky', serverError, users);
    const logs: string[] = [];
    const result = await runSource(http, { url, intervalMs: 60_000, recordsPath: 'results', keyPath: 'login.uuid', retry: fast }, { maxRecords: 3, context: { logger: capturingLogger(logs) } });
    expect(result.failures).toEqual([]);
    expect(result.records).toHaveLength(3);
    expect(requestsTo('/flaky')).toHaveLength(2);
    expect(logs.some((l) => l.includes('HTTP 500 Internal Server Error') && l.includes('retrying'))).toBe(true);
  });

  it('honours Retry-After on a 429, in seconds or as an HTTP date, instead of its own backoff', async () => {
    const time = new FakeTime();
    const seconds = script('/limited', (response) => response.writeHead(429, { 'retry-after': '2' }).end(), users);
    const source = await open({ url: seconds, recordsPath: 'results', retry: fast }, { clock: time.clock, sleep: time.sleep });
    expect(await read(source)).toHaveLength(3);
    expect(time.waits).toEqual([2000]);
    const dated = script('/limited-date', (response) => response.writeHead(503, { 'retry-after': 'Sun, 01 Jun 2025 12:00:07 GMT' }).end(), users);
    const later = new FakeTime();
    const source2 = await open({ url: dated, recordsPath: 'results', retry: fast }, { clock: later.clock, sleep: later.sleep });
    expect(await read(source2)).toHaveLength(3);
    expect(later.waits).toEqual([7000]);
  });

  it('ends the poll with a failure when Retry-After is longer than maxRetryAfterMs, and waits for it before the next poll', async () => {
    const time = new FakeTime();
    const url = script('/closed', (response) => response.writeHead(429, { 'retry-after': '3600' }).end('slow down'));
    const source = await open({ url, intervalMs: 5000, retry: { ...fast, maxRetryAfterMs: 60_000 } }, { clock: time.clock, sleep: time.sleep });
    const [failure] = await read(source);
    expect(failure.failure).toContain('HTTP 429 Too Many Requests; Retry-After asks to wait 3600000 ms, longer than retry.maxRetryAfterMs');
    expect(requestsTo('/closed')).toHaveLength(1);
    expect(source.health().details?.nextPollAt).toBe('2025-06-01T13:00:00.000Z');
  });

  it('retries a response slower than timeoutMs, then emits a failure record', async () => {
    const url = script('/slow', hang);
    const source = await open({ url, timeoutMs: 100, retry: { maxAttempts: 2, initialBackoffMs: 1, maxBackoffMs: 1 } });
    const records = await read(source);
    expect(records).toHaveLength(1);
    expect(records[0].failure).toBe(`GET ${url}: timed out after 100 ms (gave up after 2 attempts)`);
    expect(records[0].headers).not.toHaveProperty(STATUS_HEADER);
    expect(requestsTo('/slow')).toHaveLength(2);
  });

  it('counts the body in the timeout: an answer whose body stalls is retried like a slow one', async () => {
    const stall: Answer = (response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"results": [');
      return hang(response, server, {} as SeenRequest);
    };
    const url = script('/stalling', stall, users);
    const source = await open({ url, timeoutMs: 100, recordsPath: 'results', retry: { maxAttempts: 2, initialBackoffMs: 1, maxBackoffMs: 1 } });
    expect(await read(source)).toHaveLength(3);
    expect(requestsTo('/stalling')).toHaveLength(2);
  });

  it('retries network errors, then names the cause in the failure record', async () => {
    const closed = await startFixtureServer(() => undefined);
    const url = `${closed.baseUrl}/gone`;
    await closed.close();
    const source = await open({ url, retry: fast });
    const [failure] = await read(source);
    expect(failure.failure).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/gone: network error: .*ECONNREFUSED.* \(gave up after 3 attempts\)$/);
    expect(source.health()).toMatchObject({ status: 'degraded', details: { consecutiveFailures: 1, lastOutcome: 'failed' } });
  });

  it('backs off exponentially with jitter between attempts', async () => {
    const time = new FakeTime();
    const url = script('/down', serverError);
    const source = await open({ url, retry: { maxAttempts: 4, initialBackoffMs: 100, maxBackoffMs: 250 } }, { clock: time.clock, sleep: time.sleep });
    const [failure] = await read(source);
    expect(failure.failure).toContain('HTTP 500 Internal Server Error (gave up after 4 attempts)');
    expect(time.waits).toHaveLength(3);
    const [first, second, third] = time.waits;
    expect(first).toBeGreaterThanOrEqual(50);
    expect(first).toBeLessThanOrEqual(100);
    expect(second).toBeGreaterThanOrEqual(100);
    expect(second).toBeLessThanOrEqual(200);
    expect(third).toBeGreaterThanOrEqual(125);
    expect(third).toBeLessThanOrEqual(250);
  });
});

describe('http source: answers that are not records', () => {
  it('turns a 404 into a failure record at once, without retrying, with the URL redacted', async () => {
    const from = server.requests.length;
    const logs: string[] = [];
    const result = await runSource(
      http,
      { url: `${server.baseUrl}/api/v2/pokemon/{{randomInt 5000 5000}}?api_key=sk_live_42`, intervalMs: 60_000, retry: fast },
      { maxRecords: 1, context: { logger: capturingLogger(logs) } },
    );
    expect(server.requests.slice(from)).toHaveLength(1);
    expect(result.records).toEqual([]);
    const [{ record, reason }] = result.failures;
    const shown = `${server.baseUrl}/api/v2/pokemon/5000?api_key=REDACTED`;
    expect(reason).toBe(`GET ${shown}: HTTP 404 Not Found (client error; not retried)`);
    expect(record.value).toEqual({ method: 'GET', url: shown, status: 404, error: 'HTTP 404 Not Found (client error; not retried)', body: 'Not Found' } satisfies PageFailureValue);
    expect(record.headers).toMatchObject({ [URL_HEADER]: shown, [STATUS_HEADER]: '404' });
    expect(record.position).toEqual({ lane: 'polls', offset: 0 });
    expect(logs.join('\n')).not.toContain('sk_live_42');
    expect(JSON.stringify(result.failures)).not.toContain('sk_live_42');
  });

  it('turns a body that is not JSON into a failure record with the reason and the start of the body', async () => {
    const url = script('/maintenance', (response, api) => {
      const page = api.fixture('maintenance.html');
      response.writeHead(200, { 'content-type': 'text/html' }).end(page);
    });
    const source = await open({ url, recordsPath: 'results' });
    const [failure] = await read(source);
    expect(failure.failure).toMatch(/^GET .*\/maintenance: response body is not JSON \(text\/html\): Unexpected token/);
    expect((failure.value as PageFailureValue).body).toContain('<title>503 Service Temporarily Unavailable</title>');
    expect(requestsTo('/maintenance')).toHaveLength(1);
  });

  it('turns a JSON body without the records array into a failure record', async () => {
    const url = script('/no-results', (response, api) => api.sendFixture(response, 'randomuser/error.json'));
    const source = await open({ url, recordsPath: 'results' });
    const [failure] = await read(source);
    expect(failure.failure).toContain('the response has nothing at recordsPath "results"');
    expect((failure.value as PageFailureValue).body).toContain('Uh oh, something has gone wrong');
  });

  it('refuses a body larger than maxResponseBytes', async () => {
    const url = script('/huge', (response, api) => api.sendJson(response, { results: Array.from({ length: 200 }, (_, i) => ({ id: i, pad: 'x'.repeat(50) })) }));
    const source = await open({ url, recordsPath: 'results', maxResponseBytes: 1024 });
    const [failure] = await read(source);
    expect(failure.failure).toContain('response body is larger than maxResponseBytes (1024 bytes');
  });

  it('yields nothing on 204 No Content', async () => {
    const url = script('/nothing', (response) => response.writeHead(204).end());
    const source = await open({ url, recordsPath: 'results' });
    expect(await read(source)).toEqual([]);
    expect(source.health()).toMatchObject({ status: 'up', details: { lastStatus: 204, lastOutcome: 'ok' } });
  });

  it('keeps the records of earlier pages when a later page fails', async () => {
    const url = script('/pages', (response, api) => api.sendJson(response, { items: [{ id: 1 }, { id: 2 }], next: '/pages-broken' }));
    script('/pages-broken', (response) => response.writeHead(403, { 'content-type': 'text/plain' }).end('Forbidden'));
    const source = await open({ url, recordsPath: 'items', keyPath: 'id', nextPath: 'next' });
    const records = await read(source);
    expect(records.map((r) => r.key)).toEqual(['1', '2', null]);
    expect(records[2].failure).toBe(`GET ${server.baseUrl}/pages-broken: HTTP 403 Forbidden (client error; not retried)`);
  });

  it('counts consecutive failed polls in health and resets them after a good one', async () => {
    const url = script('/recovering', (response) => response.writeHead(400).end(), (response) => response.writeHead(400).end(), users);
    const time = new FakeTime();
    const source = await open({ url, recordsPath: 'results' }, { clock: time.clock, sleep: time.sleep });
    await read(source);
    await read(source);
    expect(source.health()).toMatchObject({ status: 'degraded', details: { consecutiveFailures: 2, lastStatus: 400, lastError: `GET ${url}: HTTP 400 Bad Request (client error; not retried)` } });
    expect(await read(source)).toHaveLength(3);
    expect(source.health()).toMatchObject({ status: 'up', details: { consecutiveFailures: 0, polls: 3, records: 3 } });
    expect(source.health().details).not.toHaveProperty('lastError');
  });
});

describe('http source: conditional requests', () => {
  it('sends back ETag and Last-Modified, and a 304 yields no records', async () => {
    const etag = '"v1-3users"';
    const lastModified = 'Sun, 01 Jun 2025 11:00:00 GMT';
    const url = script('/users', (response, api, request) => {
      if (request.headers['if-none-match'] === etag) return void response.writeHead(304, { etag }).end();
      api.sendFixture(response, 'randomuser/page-1.json', 200, { etag, 'last-modified': lastModified });
    });
    const time = new FakeTime();
    const source = await open({ url, recordsPath: 'results', conditionalRequests: true }, { clock: time.clock, sleep: time.sleep });
    expect(await read(source)).toHaveLength(3);
    expect(await read(source)).toEqual([]);
    const [first, second] = requestsTo('/users');
    expect(first.headers['if-none-match']).toBeUndefined();
    expect(second.headers).toMatchObject({ 'if-none-match': etag, 'if-modified-since': lastModified });
    expect(source.health()).toMatchObject({ status: 'up', details: { lastStatus: 304, lastOutcome: 'not-modified', polls: 2, records: 3 } });
  });

  it('sends no validators when conditional requests are off', async () => {
    const url = script('/users-plain', (response, api) => api.sendFixture(response, 'randomuser/page-1.json', 200, { etag: '"x"' }));
    const time = new FakeTime();
    const source = await open({ url, recordsPath: 'results' }, { clock: time.clock, sleep: time.sleep });
    await read(source);
    await read(source);
    expect(requestsTo('/users-plain').map((r) => r.headers['if-none-match'])).toEqual([undefined, undefined]);
  });
});

describe('http source: stopping', () => {
  it('abandons a request in flight when stopped: no records, the poll is not counted', async () => {
    const url = script('/stuck', hang);
    const source = await open({ url, timeoutMs: 60_000 });
    const controller = new AbortController();
    const reading = read(source, controller.signal);
    while (requestsTo('/stuck').length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(reading).resolves.toEqual([]);
    expect(source.health().details).toMatchObject({ polls: 0, nextPoll: 0 });
  });
});
