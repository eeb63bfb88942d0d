// The sluice.yaml of the Grafana /query bench: a generator spreading the points evenly over 24 h,
// either into one raw sql table, or routed to that raw table and to a per-minute rollup table
// (the `aggregate` transform), with the named queries Grafana asks for.
import { join } from 'node:path';

/** One target of the panel: Grafana's refId and the named query it selects. */
export interface GrafanaTarget {
  readonly refId: string;
  readonly target: string;
}

/** The named queries of the raw scenarios, as the targets of one panel: avg and count over the raw rows. */
export const GRAFANA_TARGETS: readonly GrafanaTarget[] = [
  { refId: 'A', target: 'value-avg' },
  { refId: 'B', target: 'value-count' },
];

/**
 * The named queries of the rollup scenarios, the same panel over the per-minute table: the average
 * of the minute averages weighted by the minutes' counts (exact: SUM(value_avg·points) ÷
 * SUM(points)) and the sum of the minute counts (exact).
 */
export const GRAFANA_ROLLUP_TARGETS: readonly GrafanaTarget[] = [
  { refId: 'A', target: 'minute-value-avg' },
  { refId: 'B', target: 'minute-value-count' },
];

/**
 * A named query over the rollup table that the measured requests do not ask for: the sum of the
 * minute sums, asked once after them so that the bench can compute the exact average per bucket
 * another way, sum ÷ count, and report how far the weighted average of minute averages is from it.
 */
export const GRAFANA_ROLLUP_SUM_TARGET: GrafanaTarget = { refId: 'C', target: 'minute-value-sum' };

/** The rollup's minute: the aggregate groups by the event time truncated to it. */
export const ROLLUP_MINUTE_MS = 60_000;

export interface GrafanaBenchConfigInput {
  /** Temporary folder: the SQLite file(s) and the data dir (checkpoints, aggregate state). */
  readonly dir: string;
  readonly driver: 'sqlite' | 'postgres';
  readonly postgresUrl: string;
  /** The raw table; with `rollupTable`, the pipeline routes to both. */
  readonly rawTable: string;
  readonly rollupTable?: string;
  readonly points: number;
  /** Event time of point 0 (epoch ms); the points are 24 h / points apart. */
  readonly from: number;
  readonly spanMs: number;
  readonly token: string;
  readonly prefix: string;
}

/** The sluice.yaml of one scenario. */
export function grafanaBenchConfig(input: GrafanaBenchConfigInput): string {
  const rollup = input.rollupTable !== undefined;
  const stepMs = input.spanMs / input.points;
  // `ts` is the event time the raw table stores; `ts_ms` (rollup only) is the same instant in epoch
  // ms, for the aggregate's groupBy. The generator stamps records with the wall clock of the read,
  // not with a field, so a tumbling window (which windows on the record timestamp) cannot be used.
  const tsMs = rollup ? `\n          ts_ms: { type: timestamp, format: epoch, from: "${new Date(input.from).toISOString()}", stepMs: ${stepMs} }` : '';
  const rawSink = sqlSink(input, {
    table: input.rawTable,
    mode: 'insert',
    key: ['id'],
    timeColumn: 'ts',
    columns: [
      ['id', 'bigint'],
      ['ts', 'timestamp'],
      ['value', 'float'],
      ['host', 'string'],
    ],
  });
  const sinks = rollup
    ? `    routes:
      - name: raw
        sink:
${indent(rawSink, 10)}
      - name: per-minute
        transforms:
          - plugin: aggregate
            config:
              groupBy: { window_start: "$floor(ts_ms / ${ROLLUP_MINUTE_MS}) * ${ROLLUP_MINUTE_MS}" }
              metrics:
                points: { fn: count }
                value_sum: { fn: sum, of: value }
                value_avg: { fn: avg, of: value }
                value_min: { fn: min, of: value }
                value_max: { fn: max, of: value }
              updatedAtField: ""
        sink:
${indent(
  sqlSink(input, {
    table: input.rollupTable!,
    mode: 'upsert',
    key: ['window_start'],
    timeColumn: 'window_start',
    columns: [
      ['window_start', 'timestamp'],
      ['points', 'bigint'],
      ['value_sum', 'float'],
      ['value_avg', 'float'],
      ['value_min', 'float'],
      ['value_max', 'float'],
    ],
  }),
  10,
)}`
    : `    sink:
${indent(rawSink, 6)}`;
  const queries = rollup
    ? `  - { name: minute-value-avg, pipeline: points, dataset: ${input.rollupTable}, kind: timeseries, aggregation: avg, value: value_avg, weight: points }
  - { name: minute-value-count, pipeline: points, dataset: ${input.rollupTable}, kind: timeseries, aggregation: sum, value: points }
  - { name: minute-value-sum, pipeline: points, dataset: ${input.rollupTable}, kind: timeseries, aggregation: sum, value: value_sum }`
    : `  - { name: value-avg, pipeline: points, dataset: ${input.rawTable}, kind: timeseries, aggregation: avg, value: value }
  - { name: value-count, pipeline: points, dataset: ${input.rawTable}, kind: timeseries, aggregation: count }`;
  return `
http: { host: 127.0.0.1, port: 0, token: ${input.token} }
dataDir: ${JSON.stringify(join(input.dir, 'data'))}
log: { level: warn, pretty: false }
pipelines:
  - name: points
    source:
      plugin: generator
      config:
        count: ${input.points}
        batchSize: 5000
        seed: 5
        fields:
          id: sequence
          ts: { type: timestamp, format: iso, from: "${new Date(input.from).toISOString()}", stepMs: ${stepMs} }
          value: { type: float, min: 0, max: 100, decimals: 2 }
          host: { type: pick, values: [alpha, beta, gamma, delta, epsilon] }${tsMs}
${sinks}
    batch: { maxRecords: 5000, maxBytes: 0, maxWaitMs: 20 }
    maxInFlight: 20000
queries:
${queries}
grafana: { enabled: true, prefix: ${input.prefix} }
`;
}

interface SqlTable {
  readonly table: string;
  readonly mode: 'insert' | 'upsert';
  readonly key: readonly string[];
  readonly timeColumn: string;
  readonly columns: ReadonlyArray<readonly [name: string, type: string]>;
}

/** An sql sink stage (`plugin:` and `config:` lines, unindented) writing `table`. */
function sqlSink(input: GrafanaBenchConfigInput, table: SqlTable): string {
  // Each table of a SQLite scenario has a file of its own: the routes write concurrently, and two
  // connections writing one file would wait on each other's transactions.
  const connection =
    input.driver === 'sqlite'
      ? `driver: sqlite\n  database: ${JSON.stringify(join(input.dir, `${table.table}.db`))}\n  synchronous: normal`
      : `driver: postgres\n  url: ${JSON.stringify(input.postgresUrl)}`;
  return `plugin: sql
config:
  ${connection}
  table: ${table.table}
  mode: ${table.mode}
  key: [${table.key.join(', ')}]
  timeColumn: ${table.timeColumn}
  columns:
${table.columns.map(([name, type]) => `    - { name: ${name}, type: ${type} }`).join('\n')}`;
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => pad + line)
    .join('\n');
}
