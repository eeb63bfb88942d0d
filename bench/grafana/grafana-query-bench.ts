// The Grafana `/query` latency bench: 1M points in a queryable sql sink, the real host, then
// sequential POST <prefix>/query requests as Grafana's JSON datasource (simpod) sends them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createLogger, loadConfig } from '#runtime';
import { createHost, type SluiceHost } from '../../apps/sluice/src/host/create-host.js';
import { percentiles } from '../kafka/percentile.js';

/** The lines this bench prints; `npm run bench -- <prefix>` selects by prefix. */
export const GRAFANA_SCENARIOS = ['grafana-sqlite', 'grafana-postgres'] as const;
export type GrafanaScenario = (typeof GRAFANA_SCENARIOS)[number];

/** The goal of the brief: p99 of one /query request ≤ 50 ms. */
export const GRAFANA_P99_GOAL_MS = 50;

const DAY_MS = 86_400_000;
const TOKEN = 'bench-grafana-token';
const PREFIX = '/grafana';

/** The named queries each request asks for, as the targets of one panel. */
export const GRAFANA_TARGETS = [
  { refId: 'A', target: 'value-avg' },
  { refId: 'B', target: 'value-count' },
] as const;

export interface GrafanaBenchSettings {
  /** Rows stored before the requests (BENCH_GRAFANA_POINTS, default 1,000,000). */
  readonly points: number;
  /** Measured requests (BENCH_GRAFANA_REQUESTS, default 300), after `warmup` unmeasured ones. */
  readonly requests: number;
  readonly warmup: number;
  /** Grafana's maxDataPoints (BENCH_GRAFANA_MAX_POINTS, default 1000); intervalMs = 24 h / it. */
  readonly maxDataPoints: number;
  /** PostgreSQL URL (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/test). */
  readonly postgresUrl: string;
}

/** Does the `npm run bench -- <prefix>` filter select a Grafana scenario? */
export function selectsGrafana(only: string | undefined): boolean {
  return !only || GRAFANA_SCENARIOS.some((name) => name.startsWith(only));
}

export function readGrafanaBenchSettings(env: NodeJS.ProcessEnv = process.env): GrafanaBenchSettings {
  const positive = (name: string, fallback: number) => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
    return value;
  };
  return {
    points: positive('BENCH_GRAFANA_POINTS', 1_000_000),
    requests: positive('BENCH_GRAFANA_REQUESTS', 300),
    warmup: 10,
    maxDataPoints: positive('BENCH_GRAFANA_MAX_POINTS', 1000),
    postgresUrl: env.BENCH_PG_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/test',
  };
}

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Runs the selected Grafana scenarios, one line each: SQLite always, PostgreSQL when it answers at
 * `postgresUrl` (else a `skipped` line). Resolves to false when a scenario failed.
 */
export async function runGrafanaQueryBench(options: { readonly only?: string; readonly emit: (line: Record<string, unknown>) => void }): Promise<boolean> {
  const wants = (name: string) => !options.only || name.startsWith(options.only);
  const settings = readGrafanaBenchSettings();
  let ok = true;
  for (const scenario of GRAFANA_SCENARIOS) {
    if (!wants(scenario)) continue;
    const started = performance.now();
    progress(`${scenario}: ${settings.points} points, ${settings.requests} requests`);
    try {
      if (scenario === 'grafana-postgres') {
        const reason = await postgresUnavailable(settings.postgresUrl);
        if (reason) {
          options.emit({ scenario, skipped: `PostgreSQL does not answer at ${redactUrl(settings.postgresUrl)}: ${reason}` });
          continue;
        }
      }
      options.emit(await runScenario(scenario, settings));
    } catch (error) {
      ok = false;
      options.emit({ scenario, error: errorText(error) });
    }
    progress(`${scenario}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return ok;
}

async function runScenario(scenario: GrafanaScenario, settings: GrafanaBenchSettings): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-grafana-'));
  const driver = scenario === 'grafana-sqlite' ? 'sqlite' : 'postgres';
  const table = `bench_points_${process.pid}_${Date.now().toString(36)}`;
  // Whole seconds: the range of every request is [now - 24 h, now] for a `now` after the load.
  const to = Math.floor(Date.now() / 1000) * 1000;
  const from = to - DAY_MS;
  const file = join(dir, 'sluice.yaml');
  writeFileSync(file, configText({ dir, driver, table, settings, from }));
  let host: SluiceHost | undefined;
  try {
    const config = await loadConfig(file, { env: {} });
    const loadStarted = performance.now();
    host = await createHost(config, createLogger({ level: 'warn', pretty: false }), { processMetrics: false });
    await host.runtime.pipeline('points')!.sourceFinished();
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const stored = host.runtime.status().pipelines[0]!.stages.find((s) => s.stage === 'sink')?.counters.acked ?? 0;
    if (stored !== settings.points) throw new Error(`the sink stored ${stored} of ${settings.points} points`);
    if (driver === 'postgres') await analyze(settings.postgresUrl, table);
    progress(`${scenario}: ${stored} points loaded in ${loadSeconds.toFixed(1)} s`);

    const url = `${host.url}${PREFIX}/query`;
    const body = JSON.stringify(simpodQuery(from, to, settings.maxDataPoints));
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const ask = async () => {
      const response = await fetch(url, { method: 'POST', headers, body });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`POST ${PREFIX}/query answered ${response.status}: ${text.slice(0, 300)}`);
      return JSON.parse(text) as Array<{ target: string; refId: string; datapoints: Array<[number | null, number]> }>;
    };
    for (let i = 0; i < settings.warmup; i++) await ask();
    const times = new Float64Array(settings.requests);
    let answer: Awaited<ReturnType<typeof ask>> = [];
    const load = loadavg()[0];
    for (let i = 0; i < settings.requests; i++) {
      const t0 = performance.now();
      answer = await ask();
      times[i] = performance.now() - t0;
    }
    const total = times.reduce((a, b) => a + b, 0);
    const [p50, p90, p99, max] = percentiles(times, [50, 90, 99, 100]).map((v) => (v === null ? null : Number(v.toFixed(1))));
    const countSeries = answer.find((s) => s.refId === 'B');
    const counted = countSeries?.datapoints.reduce((n, [v]) => n + (v ?? 0), 0);
    if (counted !== settings.points) throw new Error(`the count series sums to ${counted}, not ${settings.points}`);
    return {
      scenario,
      points: settings.points,
      requests: settings.requests,
      targets: GRAFANA_TARGETS.map((t) => t.target),
      intervalMs: DAY_MS / settings.maxDataPoints,
      pointsReturned: Object.fromEntries(answer.map((s) => [s.target, s.datapoints.length])),
      p50Ms: p50,
      p90Ms: p90,
      p99Ms: p99,
      maxMs: max,
      meanMs: Number((total / settings.requests).toFixed(1)),
      goalP99Ms: GRAFANA_P99_GOAL_MS,
      goalMet: p99 !== null && p99 <= GRAFANA_P99_GOAL_MS,
      loadSeconds: Number(loadSeconds.toFixed(1)),
      loadAvg1m: Number(load.toFixed(2)),
    };
  } finally {
    await host?.close().catch((error: unknown) => progress(`closing the host: ${errorText(error)}`));
    if (driver === 'postgres') await dropTable(settings.postgresUrl, table).catch((error: unknown) => progress(`dropping ${table}: ${errorText(error)}`));
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The bench's config: a generator spreading `points` rows evenly over [from, from + 24 h) into an
 * sql sink (batches of 5000, plain inserts), the two named time-series queries, Grafana enabled.
 */
function configText(input: { dir: string; driver: 'sqlite' | 'postgres'; table: string; settings: GrafanaBenchSettings; from: number }): string {
  const { dir, driver, table, settings, from } = input;
  const connection =
    driver === 'sqlite'
      ? `driver: sqlite\n        database: ${JSON.stringify(join(dir, 'points.db'))}\n        synchronous: normal`
      : `driver: postgres\n        url: ${JSON.stringify(settings.postgresUrl)}`;
  return `
http: { host: 127.0.0.1, port: 0, token: ${TOKEN} }
dataDir: ${JSON.stringify(join(dir, 'data'))}
log: { level: warn, pretty: false }
pipelines:
  - name: points
    source:
      plugin: generator
      config:
        count: ${settings.points}
        batchSize: 5000
        seed: 5
        fields:
          id: sequence
          ts: { type: timestamp, format: iso, from: "${new Date(from).toISOString()}", stepMs: ${DAY_MS / settings.points} }
          value: { type: float, min: 0, max: 100, decimals: 2 }
          host: { type: pick, values: [alpha, beta, gamma, delta, epsilon] }
    sink:
      plugin: sql
      config:
        ${connection}
        table: ${table}
        mode: insert
        key: [id]
        timeColumn: ts
        columns:
          - { name: id, type: bigint }
          - { name: ts, type: timestamp }
          - { name: value, type: float }
          - { name: host, type: string }
    batch: { maxRecords: 5000, maxBytes: 0, maxWaitMs: 20 }
    maxInFlight: 20000
queries:
  - { name: value-avg, pipeline: points, dataset: ${table}, kind: timeseries, aggregation: avg, value: value }
  - { name: value-count, pipeline: points, dataset: ${table}, kind: timeseries, aggregation: count }
grafana: { enabled: true, prefix: ${PREFIX} }
`;
}

/** The body Grafana's JSON datasource posts for a panel with the two targets over [from, to]. */
function simpodQuery(from: number, to: number, maxDataPoints: number) {
  const intervalMs = DAY_MS / maxDataPoints;
  return {
    app: 'dashboard',
    requestId: 'SQR1',
    timezone: 'browser',
    panelId: 1,
    dashboardUID: 'bench',
    range: { from: new Date(from).toISOString(), to: new Date(to).toISOString(), raw: { from: 'now-24h', to: 'now' } },
    rangeRaw: { from: 'now-24h', to: 'now' },
    interval: `${intervalMs / 1000}s`,
    intervalMs,
    maxDataPoints,
    targets: GRAFANA_TARGETS.map((t) => ({ datasource: { type: 'simpod-json-datasource', uid: 'sluice' }, refId: t.refId, target: t.target, payload: {} })),
    adhocFilters: [],
  };
}

async function withClient<T>(url: string, body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Why PostgreSQL cannot be used (null: it answers). */
async function postgresUnavailable(url: string): Promise<string | null> {
  try {
    await withClient(url, (client) => client.query('SELECT 1'));
    return null;
  } catch (error) {
    return errorText(error);
  }
}

/** Fresh statistics after the bulk load, as autovacuum would soon give them. */
async function analyze(url: string, table: string): Promise<void> {
  await withClient(url, (client) => client.query(`ANALYZE "${table}"`));
}

async function dropTable(url: string, table: string): Promise<void> {
  await withClient(url, (client) => client.query(`DROP TABLE IF EXISTS "${table}"`));
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<url>';
  }
}
