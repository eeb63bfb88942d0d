// The Grafana `/query` latency bench: 1M points in a queryable sql sink, the real host, then
// sequential POST <prefix>/query requests as Grafana's JSON datasource (simpod) sends them. The
// `-rollup` scenarios route the same points to the raw table and to a per-minute rollup table
// (the `aggregate` transform) and query the rollup.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createLogger, FAN_OUT_STAGE, loadConfig } from '#runtime';
import { createHost, type SluiceHost } from '../../apps/sluice/src/host/create-host.js';
import { percentiles } from '../kafka/percentile.js';
import { GRAFANA_ROLLUP_SUM_TARGET, GRAFANA_ROLLUP_TARGETS, GRAFANA_TARGETS, grafanaBenchConfig, ROLLUP_MINUTE_MS, type GrafanaTarget } from './grafana-bench-config.js';

export { GRAFANA_ROLLUP_TARGETS, GRAFANA_TARGETS } from './grafana-bench-config.js';

/** The lines this bench prints; `npm run bench -- <prefix>` selects by prefix. */
export const GRAFANA_SCENARIOS = ['grafana-sqlite', 'grafana-postgres', 'grafana-sqlite-rollup', 'grafana-postgres-rollup'] as const;
export type GrafanaScenario = (typeof GRAFANA_SCENARIOS)[number];

/** What a scenario stores and queries: the database, and whether the panel reads a per-minute rollup. */
const SCENARIO_SHAPES: Readonly<Record<GrafanaScenario, { readonly driver: 'sqlite' | 'postgres'; readonly rollup: boolean }>> = {
  'grafana-sqlite': { driver: 'sqlite', rollup: false },
  'grafana-postgres': { driver: 'postgres', rollup: false },
  'grafana-sqlite-rollup': { driver: 'sqlite', rollup: true },
  'grafana-postgres-rollup': { driver: 'postgres', rollup: true },
};

/** The goal of the brief: p99 of one /query request ≤ 50 ms. */
export const GRAFANA_P99_GOAL_MS = 50;

const DAY_MS = 86_400_000;
const TOKEN = 'bench-grafana-token';
const PREFIX = '/grafana';

export interface GrafanaBenchSettings {
  /** Rows stored before the requests (BENCH_GRAFANA_POINTS, default 1,000,000). */
  readonly points: number;
  /** Measured requests (BENCH_GRAFANA_REQUESTS, default 300), after `warmup` unmeasured ones. */
  readonly requests: number;
  readonly warmup: number;
  /** Grafana's maxDataPoints (BENCH_GRAFANA_MAX_POINTS, default 1000). */
  readonly maxDataPoints: number;
  /** Grafana's intervalMs (BENCH_GRAFANA_INTERVAL_MS, default 24 h / maxDataPoints). */
  readonly intervalMs: number;
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
  const maxDataPoints = positive('BENCH_GRAFANA_MAX_POINTS', 1000);
  return {
    points: positive('BENCH_GRAFANA_POINTS', 1_000_000),
    requests: positive('BENCH_GRAFANA_REQUESTS', 300),
    warmup: 10,
    maxDataPoints,
    intervalMs: positive('BENCH_GRAFANA_INTERVAL_MS', DAY_MS / maxDataPoints),
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
      if (SCENARIO_SHAPES[scenario].driver === 'postgres') {
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

/** One series of a /query answer. */
type Series = { target: string; refId: string; datapoints: Array<[number | null, number]> };

async function runScenario(scenario: GrafanaScenario, settings: GrafanaBenchSettings): Promise<Record<string, unknown>> {
  const { driver, rollup } = SCENARIO_SHAPES[scenario];
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-grafana-'));
  const run = `${process.pid}_${Date.now().toString(36)}`;
  const rawTable = `bench_points_${run}`;
  const rollupTable = rollup ? `bench_minutes_${run}` : undefined;
  const tables = [rawTable, ...(rollupTable ? [rollupTable] : [])];
  const targets = rollup ? GRAFANA_ROLLUP_TARGETS : GRAFANA_TARGETS;
  // The range of every request is [now - 24 h, now] for a `now` after the load: whole seconds, and
  // whole minutes with a rollup, so that every minute of the data starts inside the range.
  const unit = rollup ? ROLLUP_MINUTE_MS : 1000;
  const to = Math.floor(Date.now() / unit) * unit;
  const from = to - DAY_MS;
  const file = join(dir, 'sluice.yaml');
  writeFileSync(
    file,
    grafanaBenchConfig({ dir, driver, postgresUrl: settings.postgresUrl, rawTable, rollupTable, points: settings.points, from, spanMs: DAY_MS, token: TOKEN, prefix: PREFIX }),
  );
  let host: SluiceHost | undefined;
  try {
    const config = await loadConfig(file, { env: {} });
    const loadStarted = performance.now();
    host = await createHost(config, createLogger({ level: 'warn', pretty: false }), { processMetrics: false });
    await host.runtime.pipeline('points')!.sourceFinished();
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const stages = host.runtime.status().pipelines[0]!.stages;
    // With routes, the fan-out (stage `routes`) acknowledges a record once every route stored its share.
    const stored = stages.find((s) => s.stage === 'sink' || s.stage === FAN_OUT_STAGE)?.counters.acked ?? 0;
    const deadLettered = stages.reduce((n, s) => n + s.counters.deadLettered, 0);
    if (stored !== settings.points || deadLettered !== 0) throw new Error(`the sink stored ${stored} of ${settings.points} points (${deadLettered} dead-lettered)`);
    if (driver === 'postgres') for (const table of tables) await analyze(settings.postgresUrl, table);
    progress(`${scenario}: ${stored} points loaded in ${loadSeconds.toFixed(1)} s`);

    const url = `${host.url}${PREFIX}/query`;
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const ask = async (body: string): Promise<Series[]> => {
      const response = await fetch(url, { method: 'POST', headers, body });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`POST ${PREFIX}/query answered ${response.status}: ${text.slice(0, 300)}`);
      return JSON.parse(text) as Series[];
    };
    const body = JSON.stringify(simpodQuery(from, to, settings, targets));
    for (let i = 0; i < settings.warmup; i++) await ask(body);
    const times = new Float64Array(settings.requests);
    let answer: Series[] = [];
    const load = loadavg()[0];
    for (let i = 0; i < settings.requests; i++) {
      const t0 = performance.now();
      answer = await ask(body);
      times[i] = performance.now() - t0;
    }
    const total = times.reduce((a, b) => a + b, 0);
    const [p50, p90, p99, max] = percentiles(times, [50, 90, 99, 100]).map((v) => (v === null ? null : Number(v.toFixed(1))));
    const countSeries = answer.find((s) => s.refId === 'B');
    const counts = (countSeries?.datapoints ?? []).map(([v]) => v ?? 0);
    const counted = counts.reduce((n, v) => n + v, 0);
    if (counted !== settings.points) throw new Error(`the count series sums to ${counted}, not ${settings.points}`);
    const line: Record<string, unknown> = {
      scenario,
      points: settings.points,
      requests: settings.requests,
      targets: targets.map((t) => t.target),
      intervalMs: settings.intervalMs,
      maxDataPoints: settings.maxDataPoints,
      pointsReturned: Object.fromEntries(answer.map((s) => [s.target, s.datapoints.length])),
      countPerBucket: { min: Math.min(...counts), max: Math.max(...counts) },
      p50Ms: p50,
      p90Ms: p90,
      p99Ms: p99,
      maxMs: max,
      meanMs: Number((total / settings.requests).toFixed(1)),
      goalP99Ms: GRAFANA_P99_GOAL_MS,
      goalMet: p99 !== null && p99 <= GRAFANA_P99_GOAL_MS,
      loadSeconds: Number(loadSeconds.toFixed(1)),
      loadPointsPerSecond: Math.round(settings.points / loadSeconds),
      loadAvg1m: Number(load.toFixed(2)),
    };
    if (rollup) {
      line.routes = ['raw', 'per-minute'];
      line.weightedAvgMaxError = await averageError(ask, simpodQuery(from, to, settings, [...targets, GRAFANA_ROLLUP_SUM_TARGET]));
    }
    return line;
  } finally {
    await host?.close().catch((error: unknown) => progress(`closing the host: ${errorText(error)}`));
    if (driver === 'postgres') {
      for (const table of tables) await dropTable(settings.postgresUrl, table).catch((error: unknown) => progress(`dropping ${table}: ${errorText(error)}`));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * How far the rollup's average (the minute averages of a bucket weighted by their counts, target A)
 * is from the average of the bucket's points computed another way (the sum of the minute sums ÷
 * the sum of the minute counts, targets C and B), asked once after the measured requests: the
 * largest absolute difference over the buckets, in units of `value` (which lies in [0, 100)); ~0
 * (floating-point rounding) when the weighted average is right.
 */
async function averageError(ask: (body: string) => Promise<Series[]>, query: ReturnType<typeof simpodQuery>): Promise<number> {
  const answer = await ask(JSON.stringify(query));
  const byTime = (refId: string) => new Map((answer.find((s) => s.refId === refId)?.datapoints ?? []).map(([v, t]) => [t, v]));
  const averages = byTime('A');
  const counts = byTime('B');
  const sums = byTime('C');
  let worst = 0;
  for (const [time, average] of averages) {
    const count = counts.get(time);
    const sum = sums.get(time);
    if (average === null || average === undefined || !count || sum === null || sum === undefined) throw new Error(`bucket ${new Date(time).toISOString()} lacks an average, a count or a sum`);
    worst = Math.max(worst, Math.abs(average - sum / count));
  }
  return Number(worst.toPrecision(3));
}

/** The body Grafana's JSON datasource posts for a panel with these targets over [from, to]. */
function simpodQuery(from: number, to: number, settings: Pick<GrafanaBenchSettings, 'intervalMs' | 'maxDataPoints'>, targets: readonly GrafanaTarget[]) {
  const { intervalMs, maxDataPoints } = settings;
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
    targets: targets.map((t) => ({ datasource: { type: 'simpod-json-datasource', uid: 'sluice' }, refId: t.refId, target: t.target, payload: {} })),
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
