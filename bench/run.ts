// `npm run bench`: runs each scenario of bench/pipelines/ through the real config loader and runtime
// on the embedded transport, and prints one JSON line per scenario; then the Kafka comparison
// (bench/kafka/: Sluice's Kafka pass-through vs Kafka's perf tools vs Kafka Connect, one line each
// plus the ratios). `npm run bench -- <prefix>` runs only the scenarios whose name starts with it
// (e.g. `kafka`, `kafka-sluice`, `grafana`, `cassandra`); BENCH_KAFKA=0 leaves the Kafka comparison
// out. Then the Grafana /query latency bench (bench/grafana/: 1M points in SQLite and PostgreSQL,
// BENCH_GRAFANA=0 leaves it out) and the Cassandra sink bench (bench/cassandra/: generator →
// cassandra sink on real Cassandra, BENCH_CASSANDRA=0 leaves it out).
import 'reflect-metadata';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, loadConfig, RuntimeMetrics, SluiceRuntime } from '#runtime';
import { createEmbeddedTransport } from '#transports';
import { runCassandraSinkBench, selectsCassandra } from './cassandra/cassandra-sink-bench.js';
import { runGrafanaQueryBench, selectsGrafana } from './grafana/grafana-query-bench.js';
import { runKafkaComparison, selectsKafka } from './kafka/kafka-comparison.js';

const here = dirname(fileURLToPath(import.meta.url));
// Compiled to dist/bench/run.js; the scenarios stay in the source tree.
const root = join(here, '..', '..');
const scenarioDir = join(root, 'bench', 'pipelines');
const count = Number(process.env.BENCH_COUNT ?? 200_000);
const only = process.argv[2];

async function runScenario(file: string): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  try {
    const config = await loadConfig(join(scenarioDir, file), { env: { ...process.env, BENCH_COUNT: String(count), BENCH_DATA_DIR: dataDir } });
    const logger = createLogger({ level: 'warn', pretty: false });
    const runtime = new SluiceRuntime(config, createEmbeddedTransport().transport, logger, new RuntimeMetrics({ defaultMetrics: false }));
    const started = performance.now();
    await runtime.start();
    await Promise.all(runtime.pipelines.map((p) => p.sourceFinished()));
    const seconds = (performance.now() - started) / 1000;
    const status = runtime.status();
    await runtime.stop();
    const pipeline = status.pipelines[0];
    const sink = pipeline.stages.find((s) => s.stage === 'sink');
    const records = sink?.counters.acked ?? 0;
    return {
      scenario: file.replace(/\.yaml$/, ''),
      records,
      deadLettered: pipeline.stages.reduce((n, s) => n + s.counters.deadLettered, 0),
      seconds: Number(seconds.toFixed(3)),
      recordsPerSecond: Math.round(records / seconds),
      p50LatencyMs: pipeline.latencyMs.p50,
      p99LatencyMs: pipeline.latencyMs.p99,
      rssMb: Math.round(process.memoryUsage().rss / 1048576),
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const files = readdirSync(scenarioDir).filter((f) => f.endsWith('.yaml') && (!only || f.startsWith(only))).sort();
const emit = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
for (const file of files) emit(await runScenario(file));

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
