// The Cassandra sink bench: generator → cassandra sink through the real config loader and runtime
// (embedded transport) into real Cassandra, rows/s for distinct partitions and shared partitions.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import { createLogger, loadConfig, RuntimeMetrics, SluiceRuntime } from '#runtime';
import { createEmbeddedTransport } from '#transports';
import { CpuWindow } from '../kafka/cpu-window.js';
import { ServicesHarness } from '../kafka/services-harness.js';

/** The lines this bench prints; `npm run bench -- <prefix>` selects by prefix. */
export const CASSANDRA_SCENARIOS = ['cassandra-distinct', 'cassandra-shared'] as const;
export type CassandraScenario = (typeof CASSANDRA_SCENARIOS)[number];

/** The goal of the brief: at least 20k rows/s into a single local node. */
export const CASSANDRA_GOAL_ROWS_PER_SECOND = 20_000;

/** How many partitions the rows of `cassandra-shared` are spread over (uniformly at random). */
export const SHARED_PARTITIONS = 100;

export interface CassandraBenchSettings {
  /** Rows per run (BENCH_CASSANDRA_COUNT, default 200,000). */
  readonly count: number;
  /** Sink `concurrency` values to run, one line each (BENCH_CASSANDRA_CONCURRENCY, e.g. "32,64,128"; default: the plugin's default). */
  readonly concurrency: ReadonlyArray<number | undefined>;
  /** Sink `partitionBatchRows` values to run (BENCH_CASSANDRA_BATCH_ROWS; default: the plugin's default). */
  readonly partitionBatchRows: ReadonlyArray<number | undefined>;
  /** Records per batch the runtime hands the sink (BENCH_CASSANDRA_BATCH, default 2000). */
  readonly batchRecords: number;
  /**
   * Rows of an unreported first run (BENCH_CASSANDRA_WARMUP, default 20,000; 0 = none): a node that
   * just started compiles its write path during the first seconds (the first run after a start was
   * about half as fast as the next ones).
   */
  readonly warmupRows: number;
  readonly contactPoints: readonly string[];
  readonly localDataCenter: string;
}

/** Does the `npm run bench -- <prefix>` filter select a Cassandra scenario? */
export function selectsCassandra(only: string | undefined): boolean {
  return !only || CASSANDRA_SCENARIOS.some((name) => name.startsWith(only));
}

export function readCassandraBenchSettings(env: NodeJS.ProcessEnv = process.env): CassandraBenchSettings {
  const integer = (name: string, raw: string) => {
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must hold positive integers, got ${JSON.stringify(raw)}`);
    return value;
  };
  const list = (name: string) => {
    const raw = env[name]?.trim();
    return raw ? raw.split(',').map((part) => integer(name, part.trim())) : [undefined];
  };
  const one = (name: string, fallback: number) => {
    const raw = env[name]?.trim();
    return raw ? integer(name, raw) : fallback;
  };
  return {
    count: one('BENCH_CASSANDRA_COUNT', 200_000),
    concurrency: list('BENCH_CASSANDRA_CONCURRENCY'),
    partitionBatchRows: list('BENCH_CASSANDRA_BATCH_ROWS'),
    batchRecords: one('BENCH_CASSANDRA_BATCH', 2000),
    warmupRows: env.BENCH_CASSANDRA_WARMUP?.trim() === '0' ? 0 : one('BENCH_CASSANDRA_WARMUP', 20_000),
    contactPoints: (env.CASSANDRA_CONTACT_POINTS?.trim() || '127.0.0.1:9042').split(',').map((s) => s.trim()),
    localDataCenter: env.CASSANDRA_LOCAL_DC?.trim() || 'datacenter1',
  };
}

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Runs the selected Cassandra scenarios for every concurrency × partitionBatchRows asked, one line
 * each. Starts Cassandra (`services.sh up cassandra`) when nothing answers and stops it afterwards
 * only then; when it cannot be started, prints one `skipped` line with the reason (the bench is not
 * CI). Each run writes into a keyspace of its own, dropped afterwards. Resolves to false when a run
 * failed.
 */
export async function runCassandraSinkBench(options: {
  readonly root: string;
  readonly only?: string;
  readonly emit: (line: Record<string, unknown>) => void;
}): Promise<boolean> {
  const scenarios = CASSANDRA_SCENARIOS.filter((name) => !options.only || name.startsWith(options.only));
  if (scenarios.length === 0) return true;
  const settings = readCassandraBenchSettings();
  const harness = new ServicesHarness(options.root);
  let started = false;
  if (!(await harness.cassandraAnswers())) {
    progress(`no Cassandra answers at ${settings.contactPoints.join(',')}: services.sh up cassandra`);
    try {
      started = (await harness.upCassandra()) === 'started';
    } catch (error) {
      options.emit({ scenario: 'cassandra', skipped: `Cassandra could not be started: ${errorText(error).split('\n').slice(0, 6).join(' | ')}` });
      return true;
    }
  }
  const nodePid = harness.pidOf('cassandra');
  let ok = true;
  try {
    if (settings.warmupRows > 0) {
      progress(`warm-up: ${settings.warmupRows} rows (not reported)`);
      await runOne(scenarios[0]!, { ...settings, count: settings.warmupRows }, { concurrency: undefined, partitionBatchRows: undefined }, nodePid).catch((error: unknown) =>
        progress(`warm-up failed: ${errorText(error)}`),
      );
    }
    for (const scenario of scenarios) {
      for (const concurrency of settings.concurrency) {
        for (const partitionBatchRows of settings.partitionBatchRows) {
          progress(`${scenario}: ${settings.count} rows, concurrency ${concurrency ?? 'default'}, partitionBatchRows ${partitionBatchRows ?? 'default'}`);
          try {
            options.emit(await runOne(scenario, settings, { concurrency, partitionBatchRows }, nodePid));
          } catch (error) {
            ok = false;
            options.emit({ scenario, concurrency, partitionBatchRows, error: errorText(error) });
          }
        }
      }
    }
  } finally {
    if (started) {
      progress('stopping the Cassandra this bench started');
      await harness.down('cassandra');
    }
  }
  return ok;
}

interface SinkKnobs {
  readonly concurrency: number | undefined;
  readonly partitionBatchRows: number | undefined;
}

async function runOne(scenario: CassandraScenario, settings: CassandraBenchSettings, knobs: SinkKnobs, nodePid: number | null): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-cassandra-'));
  const keyspace = `bench_${Date.now().toString(36)}_${process.pid}`;
  const file = join(dir, 'sluice.yaml');
  writeFileSync(file, configText({ dir, scenario, settings, knobs, keyspace }));
  let runtime: SluiceRuntime | undefined;
  try {
    const config = await loadConfig(file, { env: {} });
    runtime = new SluiceRuntime(config, createEmbeddedTransport().transport, createLogger({ level: 'warn', pretty: false }), new RuntimeMetrics({ defaultMetrics: false }));
    const startedAt = performance.now();
    await runtime.start();
    // The window starts once every stage runs (the sink is connected and its table exists): what
    // was acknowledged before that is left out of the rate.
    const windowStart = performance.now();
    const ackedAtStart = sinkAcked(runtime);
    const load = loadavg()[0];
    const cpu = new CpuWindow({ cassandra: nodePid });
    await Promise.all(runtime.pipelines.map((p) => p.sourceFinished()));
    const windowSeconds = (performance.now() - windowStart) / 1000;
    const cpuPercent = cpu.stop();
    const status = runtime.status();
    const pipeline = status.pipelines[0]!;
    const acked = sinkAcked(runtime);
    const deadLettered = pipeline.stages.reduce((n, s) => n + s.counters.deadLettered, 0);
    await runtime.stop();
    runtime = undefined;
    const stored = await countRows(settings, keyspace, scenario);
    if (acked !== settings.count || deadLettered > 0) throw new Error(`the sink acknowledged ${acked} of ${settings.count} rows, ${deadLettered} dead-lettered`);
    const rate = Math.round((acked - ackedAtStart) / windowSeconds);
    return {
      scenario,
      rows: acked,
      partitions: scenario === 'cassandra-distinct' ? settings.count : SHARED_PARTITIONS,
      storedRows: stored,
      concurrency: knobs.concurrency ?? 'default',
      partitionBatchRows: knobs.partitionBatchRows ?? 'default',
      batchRecords: settings.batchRecords,
      seconds: Number(windowSeconds.toFixed(2)),
      startSeconds: Number(((windowStart - startedAt) / 1000).toFixed(2)),
      rowsPerSecond: rate,
      goalRowsPerSecond: CASSANDRA_GOAL_ROWS_PER_SECOND,
      goalMet: rate >= CASSANDRA_GOAL_ROWS_PER_SECOND,
      p50LatencyMs: pipeline.latencyMs.p50,
      p99LatencyMs: pipeline.latencyMs.p99,
      nodeCpuPercent: cpuPercent.node,
      cassandraCpuPercent: cpuPercent.cassandra,
      otherCpuPercent: cpuPercent.others,
      loadAvg1m: Number(load.toFixed(2)),
    };
  } finally {
    await runtime?.stop().catch((error: unknown) => progress(`stopping the runtime: ${errorText(error)}`));
    await dropKeyspace(settings, keyspace).catch((error: unknown) => progress(`dropping keyspace ${keyspace}: ${errorText(error)}`));
    rmSync(dir, { recursive: true, force: true });
  }
}

function sinkAcked(runtime: SluiceRuntime): number {
  return runtime.status().pipelines[0]!.stages.find((s) => s.stage === 'sink')?.counters.acked ?? 0;
}

/**
 * generator (id sequence, a timestamp, a double, a 5-value text and a 64-character text) →
 * cassandra sink. `cassandra-distinct`: the primary key is `id`, so every row is its own partition
 * (every row one INSERT). `cassandra-shared`: partition key `sensor` (0..99 at random), clustering
 * column `id`, so a batch of 2000 records holds ~20 rows of each partition, sent as unlogged
 * batches of up to `partitionBatchRows`.
 */
function configText(input: { dir: string; scenario: CassandraScenario; settings: CassandraBenchSettings; knobs: SinkKnobs; keyspace: string }): string {
  const { dir, scenario, settings, knobs, keyspace } = input;
  const keys = scenario === 'cassandra-distinct' ? 'partitionKey: [id]' : 'partitionKey: [sensor]\n        clusteringKey: [{ column: id }]';
  const optional = [
    knobs.concurrency === undefined ? '' : `concurrency: ${knobs.concurrency}`,
    knobs.partitionBatchRows === undefined ? '' : `partitionBatchRows: ${knobs.partitionBatchRows}`,
  ].filter(Boolean);
  return `
http: { enabled: false }
dataDir: ${JSON.stringify(join(dir, 'data'))}
log: { level: warn, pretty: false }
pipelines:
  - name: cassandra-bench
    source:
      plugin: generator
      config:
        count: ${settings.count}
        batchSize: 1000
        seed: 3
        fields:
          id: sequence
          sensor: { type: int, min: 0, max: ${SHARED_PARTITIONS - 1} }
          ts: { type: timestamp, format: epoch }
          value: { type: float, min: 0, max: 100, decimals: 3 }
          host: { type: pick, values: [alpha, beta, gamma, delta, epsilon] }
          note: { type: string, length: 64 }
    sink:
      plugin: cassandra
      config:
        contactPoints: ${JSON.stringify(settings.contactPoints)}
        localDataCenter: ${JSON.stringify(settings.localDataCenter)}
        keyspace: ${keyspace}
        createKeyspace: { strategy: SimpleStrategy, replicationFactor: 1 }
        table: readings
        columns:
          - { name: id, type: bigint }
          - { name: sensor, type: int }
          - { name: ts, type: timestamp }
          - { name: value, type: double }
          - { name: host, type: text }
          - { name: note, type: text }
        ${keys}
        ${optional.join('\n        ')}
    batch: { maxRecords: ${settings.batchRecords}, maxBytes: 0, maxWaitMs: 20 }
    maxInFlight: 20000
`;
}

async function withClient<T>(settings: CassandraBenchSettings, body: (client: cassandra.Client) => Promise<T>): Promise<T> {
  const client = new cassandra.Client({ contactPoints: [...settings.contactPoints], localDataCenter: settings.localDataCenter });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}

/** Rows in the table after the run (a full count: fine for a single local node and 200k rows). */
async function countRows(settings: CassandraBenchSettings, keyspace: string, scenario: CassandraScenario): Promise<number | null> {
  return withClient(settings, async (client) => {
    const options = { readTimeout: 120_000, consistency: cassandra.types.consistencies.one };
    if (scenario === 'cassandra-shared') {
      // One count per partition: cheap, and no full-table scan.
      let total = 0;
      for (let sensor = 0; sensor < SHARED_PARTITIONS; sensor++) {
        const result = await client.execute(`SELECT COUNT(*) AS n FROM "${keyspace}".readings WHERE sensor = ?`, [sensor], { ...options, prepare: true });
        total += Number(result.first()?.get('n') ?? 0);
      }
      return total;
    }
    const result = await client.execute(`SELECT COUNT(*) AS n FROM "${keyspace}".readings`, [], options);
    return Number(result.first()?.get('n') ?? 0);
  });
}

async function dropKeyspace(settings: CassandraBenchSettings, keyspace: string): Promise<void> {
  await withClient(settings, (client) => client.execute(`DROP KEYSPACE IF EXISTS "${keyspace}"`, [], { readTimeout: 60_000 }));
}
