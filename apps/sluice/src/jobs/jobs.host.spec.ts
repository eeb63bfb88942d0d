// The scheduled jobs in a real host on the embedded transport: an interval job triggers an http
// source (polling a local server) whose records land in SQLite, query jobs write a file and POST
// the result, /api/jobs runs jobs on demand (409 while running) behind the token, /metrics shows
// the job metrics, and shutdown aborts a run under way before the pipelines drain.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import request from 'supertest';
import { loadConfig, PluginCatalog } from '#runtime';
import { startFixtureServer, type FixtureServer, type SeenRequest } from '../../../../test/fixtures/http/fixture-server.js';
import fileSink from '../../../../plugins/file-sink/index.js';
import { jsonCodec, jsonLinesCodec } from '../../../../plugins/json-codec/index.js';
import httpSource from '../../../../plugins/http-source/index.js';
import sqlSink from '../../../../plugins/sql/index.js';
import { createHost, type SluiceHost } from '../host/create-host.js';
import { JobScheduler } from './job-scheduler.js';

const TOKEN = 'job-test-token';
const SECRETS = ['s3cr3t-q', 's3cr3t-h'];

function catalog(): PluginCatalog {
  const plugins = new PluginCatalog();
  for (const definition of [httpSource, sqlSink, fileSink, jsonCodec, jsonLinesCodec]) plugins.register(definition, { kind: 'path', from: import.meta.url });
  return plugins;
}

async function eventually<T>(probe: () => T | Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let server: FixtureServer;
const hooks: SeenRequest[] = [];
let openGate: () => void = () => undefined;
let gate: Promise<void> = Promise.resolve();
const closeGate = () => {
  gate = new Promise<void>((resolve) => (openGate = resolve));
};

beforeAll(async () => {
  let served = 0;
  server = await startFixtureServer(async (seen, response, api) => {
    const path = new URL(seen.url, api.baseUrl).pathname;
    if (path === '/items') {
      served++;
      return api.sendJson(response, { items: [{ id: `${served}-a` }, { id: `${served}-b` }] });
    }
    if (path === '/gate') {
      await Promise.race([gate, new Promise<void>((resolve) => response.on('close', () => resolve()))]);
      if (!response.destroyed) api.sendJson(response, { items: [{ id: 'gated' }] });
      return;
    }
    if (path === '/hook') {
      hooks.push(seen);
      return api.sendJson(response, { received: true });
    }
    if (path === '/hook-down') return api.sendJson(response, { error: 'down' }, 500);
  });
});
afterAll(() => server.close());

function captureLogs(lines: string[]) {
  return pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
}

describe('scheduled jobs in the host', () => {
  let root: string;
  let host: SluiceHost;
  let closed = false;
  const logs: string[] = [];
  const api = () => request(host.app.getHttpServer());
  const auth = { authorization: `Bearer ${TOKEN}` };
  /** The ids stored by the sink of pipeline `items`. */
  const itemRows = (): string[] => {
    const db = new Database(join(root, 'data', 'items.db'), { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT id FROM items').all() as Array<{ id: string }>).map((row) => row.id);
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'sluice-jobs-host-'));
    const data = join(root, 'data');
    const file = join(root, 'sluice.yaml');
    writeFileSync(
      file,
      `
http: { host: 127.0.0.1, port: 0, token: ${TOKEN} }
dataDir: ${data}
pipelines:
  - name: items
    source:
      plugin: http
      config: { url: "${server.baseUrl}/items", recordsPath: items, keyPath: id, trigger: { polls: 2 } }
    sink:
      plugin: sql
      config: { driver: sqlite, database: ${join(data, 'items.db')}, table: items, key: [id], columns: [{ name: id, type: string }] }
    batch: { maxRecords: 10, maxWaitMs: 5 }
  - name: gated
    source:
      plugin: http
      config: { url: "${server.baseUrl}/gate", recordsPath: items, trigger: {} }
    sink: { plugin: file, config: { path: ${join(data, 'gated.jsonl')} } }
    batch: { maxWaitMs: 5 }
queries:
  - { name: all-items, pipeline: items, dataset: items, kind: table, useTimeRange: false, orderBy: [{ column: id }] }
jobs:
  - { name: poll-items, intervalMs: 100, trigger: { pipeline: items } }
  - name: export-items
    intervalMs: 3600000
    runOnStart: true
    query:
      name: all-items
      to: { file: out/items.json, url: "${server.baseUrl}/hook?token=s3cr3t-q", headers: { X-Api-Key: s3cr3t-h } }
  - { name: export-down, intervalMs: 3600000, query: { name: all-items, to: { url: "${server.baseUrl}/hook-down?token=s3cr3t-q" } } }
  - { name: gated-run, cron: "0 0 1 1 *", timeZone: UTC, description: Polls the gate, trigger: { pipeline: gated } }
`,
    );
    const config = await loadConfig(file, { env: {}, catalog: catalog() });
    host = await createHost(config, captureLogs(logs), { processMetrics: false });
  });

  afterAll(async () => {
    openGate();
    if (!closed) await host?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves /api/jobs behind the token, listing every job with its schedule and next run', async () => {
    await api().get('/api/jobs').expect(401);
    await api().get('/api/jobs/poll-items').expect(401);
    await api().post('/api/jobs/poll-items/run').expect(401);
    const { body } = await api().get('/api/jobs').set(auth).expect(200);
    expect(body.jobs.map((j: { name: string }) => j.name)).toEqual(['poll-items', 'export-items', 'export-down', 'gated-run']);
    const gated = body.jobs[3];
    expect(gated).toMatchObject({ kind: 'trigger', task: 'trigger the source of pipeline "gated"', schedule: 'cron "0 0 1 1 *" (UTC)', description: 'Polls the gate', timeoutMs: 300_000, running: false });
    expect(gated.nextRunAt).toMatch(/^\d{4}-01-01T00:00:00\.000Z$/);
    expect(Date.parse(body.jobs[0].nextRunAt)).toBeGreaterThan(0);
    const missing = await api().get('/api/jobs/poll-item').set(auth).expect(404);
    expect(missing.body.message).toBe('no job named "poll-item" (did you mean "poll-items"?); jobs: poll-items, export-items, export-down, gated-run');
    await api().post('/api/jobs/nope/run').set(auth).expect(404);
  });

  it('runs an interval job that triggers the http source: the records reach the SQLite sink', async () => {
    const state = await eventually(
      async () => (await api().get('/api/jobs/poll-items').set(auth).expect(200)).body,
      (job) => job.counts.ok >= 2,
    );
    expect(state.lastRun).toMatchObject({ reason: 'schedule', outcome: expect.stringMatching(/^(ok|skipped)$/) });
    const ok = await eventually(
      async () => (await api().get('/api/jobs/poll-items').set(auth)).body.lastRun,
      (run) => run.outcome === 'ok',
    );
    expect(ok.result).toEqual({ records: 4, polls: 2, requests: 2 });
    const rows = await eventually(itemRows, (all) => all.length >= 8);
    expect(rows.every((id) => /^\d+-[ab]$/.test(id))).toBe(true);
  });

  it('runs a query job at start and on demand: the result is written to the file and POSTed', async () => {
    const out = join(root, 'out', 'items.json');
    await eventually(() => existsSync(out), (exists) => exists);
    await eventually(() => itemRows().length, (n) => n > 0);
    const before = hooks.length;
    const { body: run } = await api().post('/api/jobs/export-items/run').set(auth).expect(200);
    expect(run).toMatchObject({ reason: 'manual', outcome: 'ok', result: { query: 'all-items', file: out, status: 200, url: `${server.baseUrl}/hook` } });
    const written = JSON.parse(readFileSync(out, 'utf8')) as { name: string; kind: string; columns: Array<{ name: string }>; rows: unknown[][] };
    expect(written).toMatchObject({ name: 'all-items', kind: 'table' });
    expect(written.columns.map((c) => c.name)).toContain('id');
    expect(written.rows.length).toBe(run.result.rows);
    expect(written.rows.length).toBeGreaterThan(0);
    expect(readdirSync(join(root, 'out'))).toEqual(['items.json']);
    const posted = hooks.slice(before);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ method: 'POST', url: '/hook?token=s3cr3t-q' });
    expect(posted[0]!.headers).toMatchObject({ 'content-type': 'application/json', 'x-api-key': 's3cr3t-h' });
    expect(JSON.parse(posted[0]!.body)).toEqual(written);
    const { body: rest } = await api().get('/api/queries/all-items').set(auth).expect(200);
    expect(rest.name).toBe('all-items');
  });

  it('records a failed POST (non-2xx) with the URL shown without its query string', async () => {
    const { body: run } = await api().post('/api/jobs/export-down/run').set(auth).expect(200);
    expect(run).toMatchObject({ reason: 'manual', outcome: 'failed', error: `POST ${server.baseUrl}/hook-down answered HTTP 500 Internal Server Error` });
    const { body: state } = await api().get('/api/jobs/export-down').set(auth).expect(200);
    expect(state).toMatchObject({ lastRun: run, counts: { ok: 0, failed: 1, skipped: 0, timeout: 0 } });
  });

  it('answers 409 to a run while one is under way, and 200 with the record once it ends', async () => {
    closeGate();
    const from = server.requests.length;
    const first = api().post('/api/jobs/gated-run/run').set(auth).then((response) => response);
    await eventually(() => server.requests.slice(from).filter((r) => r.url === '/gate').length, (n) => n === 1);
    const busy = await api().post('/api/jobs/gated-run/run').set(auth).expect(409);
    expect(busy.body.message).toMatch(/^job "gated-run" is already running \(since .+\)$/);
    const { body: state } = await api().get('/api/jobs/gated-run').set(auth).expect(200);
    expect(state).toMatchObject({ running: true, runningSince: expect.any(String) });
    openGate();
    const done = await first;
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ reason: 'manual', outcome: 'ok', result: { records: 1, polls: 1, requests: 1 } });
  });

  it('exports the job metrics on /metrics', async () => {
    const { text } = await api().get('/metrics').expect(200);
    expect(text).toMatch(/^sluice_job_runs_total\{job="poll-items",outcome="ok"\} [1-9]\d*$/m);
    expect(text).toMatch(/^sluice_job_runs_total\{job="export-down",outcome="failed"\} 1$/m);
    expect(text).toMatch(/^sluice_job_running\{job="gated-run"\} 0$/m);
    expect(text).toMatch(/^sluice_job_duration_seconds_count\{job="export-items"\} 2$/m);
    expect(text).toMatch(/^sluice_job_last_run_timestamp_seconds\{job="gated-run",outcome="ok"\} \d+(\.\d+)?$/m);
  });

  it('logs the runs without the secrets of their URLs and headers', () => {
    const text = logs.join('');
    expect(text).toContain('"msg":"job export-items: ok"');
    expect(text).toContain('"msg":"job export-down: failed"');
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  it('on shutdown aborts a run under way and waits for it before the pipelines drain', async () => {
    closeGate();
    const scheduler = host.app.get(JobScheduler);
    const from = server.requests.length;
    const run = scheduler.runNow('gated-run');
    await eventually(() => server.requests.slice(from).filter((r) => r.url === '/gate').length, (n) => n === 1);
    closed = true;
    await host.close();
    expect(await run).toMatchObject({ outcome: 'failed', error: 'aborted: the host is stopping' });
    expect(scheduler.state('gated-run')).toMatchObject({ running: false, nextRunAt: null });
    await expect(scheduler.runNow('gated-run')).rejects.toThrow('the jobs are stopping with the host');
  });
});

describe('scheduled jobs that cannot run on the pipelines', () => {
  it('fail the startup, naming each job, the plugin and what to change', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sluice-jobs-bad-'));
    try {
      const file = join(root, 'sluice.yaml');
      writeFileSync(
        file,
        `
http: { enabled: false }
dataDir: ${join(root, 'data')}
pipelines:
  - name: plain
    source: { plugin: http, config: { url: "${server.baseUrl}/items", intervalMs: 3600000, pollOnStart: false } }
    sink: { plugin: file, config: { path: ${join(root, 'data', 'plain.jsonl')} } }
jobs:
  - { name: t, intervalMs: 1000, trigger: { pipeline: plain } }
  - { name: a, intervalMs: 1000, action: { pipeline: plain, stage: snk, name: compact } }
  - { name: b, intervalMs: 1000, action: { pipeline: plain, stage: sink, name: compact } }
`,
      );
      const config = await loadConfig(file, { env: {}, catalog: catalog() });
      const failure = createHost(config, pino({ level: 'silent' }), { processMetrics: false });
      await expect(failure).rejects.toThrow('the scheduled jobs cannot start (3 problems):');
      await expect(failure).rejects.toThrow(
        'jobs[0] (job "t"): the source of pipeline "plain" (plugin "http") cannot be triggered: it does not implement trigger(). ' +
          "Sources that implement the SDK's TriggerableSource can: the http source does when its config has a `trigger:` section (e.g. trigger: { polls: 1 }).",
      );
      await expect(failure).rejects.toThrow(/jobs\[1\] \(job "a"\): pipeline "plain" has no stage "snk" \(did you mean "sink"\?\); its stages: .*\bsource\b/);
      await expect(failure).rejects.toThrow('jobs[2] (job "b"): the sink of pipeline "plain" (plugin "file") has no action "compact"; it exposes no actions');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
