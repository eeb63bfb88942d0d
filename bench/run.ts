// `npm run bench`: runs each scenario of bench/pipelines/ through the real config loader and runtime
// on the embedded transport, each in a child process of its own (bench/child/), and prints one JSON
// line per scenario; then the csv lines (bench/csv/: a seeded sales CSV loaded into SQLite and
// PostgreSQL by Sluice and by each database's own bulk tool, BENCH_CSV=0 leaves them out); then the
// Kafka comparison (bench/kafka/: Sluice's Kafka pass-through vs Kafka's perf tools vs Kafka Connect,
// one line each plus the ratios). `npm run bench -- <prefix>` runs only the scenarios whose name
// starts with it (e.g. `csv`, `csv-etl`, `generator`, `kafka`, `kafka-sluice`, `grafana`,
// `cassandra`); `--quick` makes the csv file 100,000 rows instead of 1,000,000 and `--rows N` any
// size (or BENCH_ROWS). BENCH_KAFKA=0 leaves the Kafka comparison out. Then the Grafana /query
// latency bench (bench/grafana/: 1M points in SQLite and PostgreSQL, BENCH_GRAFANA=0 leaves it out)
// and the Cassandra sink bench (bench/cassandra/: generator → cassandra sink on real Cassandra,
// BENCH_CASSANDRA=0 leaves it out).
import 'reflect-metadata';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchArguments } from './bench-arguments.js';
import type { BenchGoal } from './bench-goal.js';
import { runCassandraSinkBench, selectsCassandra } from './cassandra/cassandra-sink-bench.js';
import { runPipelineChild } from './child/run-pipeline-child.js';
import { runCsvBench, selectsCsv } from './csv/csv-bench.js';
import { runGrafanaQueryBench, selectsGrafana } from './grafana/grafana-query-bench.js';
import { runKafkaComparison, selectsKafka } from './kafka/kafka-comparison.js';
import { scenarioLine } from './scenario-line.js';

const here = dirname(fileURLToPath(import.meta.url));
// Compiled to dist/bench/run.js; the scenarios stay in the source tree.
const root = join(here, '..', '..');
const scenarioDir = join(root, 'bench', 'pipelines');
const count = Number(process.env.BENCH_COUNT ?? 200_000);
const { only, csvRows } = parseBenchArguments(process.argv.slice(2));

/** The goals of the delivery-engine issue for the scenarios of bench/pipelines/. */
const PIPELINE_GOALS: Readonly<Record<string, BenchGoal>> = {
  'generator-validate-map-sqlite': { recordsPerSecond: 300_000 },
};

async function runScenario(file: string): Promise<Record<string, unknown>> {
  const scenario = file.replace(/\.yaml$/, '');
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  try {
    const run = await runPipelineChild(join(scenarioDir, file), { BENCH_COUNT: String(count), BENCH_DATA_DIR: dataDir });
    return scenarioLine({ scenario, run, inputRecords: run.read, unit: 'records', goal: PIPELINE_GOALS[scenario] ?? {} });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const files = readdirSync(scenarioDir).filter((f) => f.endsWith('.yaml') && (!only || f.startsWith(only))).sort();
const emit = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
for (const file of files) {
  try {
    emit(await runScenario(file));
  } catch (error) {
    emit({ scenario: file.replace(/\.yaml$/, ''), error: error instanceof Error ? error.message : String(error) });
    process.exitCode = 1;
  }
}

if (process.env.BENCH_CSV !== '0' && selectsCsv(only)) {
  if (!(await runCsvBench({ root, only, rows: csvRows, emit }))) process.exitCode = 1;
}

if (process.env.BENCH_KAFKA !== '0' && selectsKafka(only)) {
  let ok: boolean;
  try {
    ok = await runKafkaComparison({ root, scenarioDir: join(root, 'bench', 'kafka'), only, emit });
  } catch (error) {
    emit({ scenario: 'kafka', error: error instanceof Error ? error.message : String(error) });
    ok = false;
  }
  if (!ok) process.exitCode = 1;
}

if (process.env.BENCH_GRAFANA !== '0' && selectsGrafana(only)) {
  if (!(await runGrafanaQueryBench({ only, emit }))) process.exitCode = 1;
}

if (process.env.BENCH_CASSANDRA !== '0' && selectsCassandra(only)) {
  if (!(await runCassandraSinkBench({ root, only, emit }))) process.exitCode = 1;
}
