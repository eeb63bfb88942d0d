import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createLogger, loadConfig } from '#runtime';
import { createHost, type SluiceHost } from '../../apps/sluice/src/host/create-host.js';
import type { BrokerLeftovers } from './broker-cleanup.js';
import { CpuWindow } from './cpu-window.js';
import { forEachLine } from './file-lines.js';
import type { KafkaBenchSettings } from './kafka-bench-settings.js';
import { OutputFileWatcher } from './output-file-watcher.js';
import { percentiles } from './percentile.js';

/** Poll interval of the output watcher: the resolution of the end-to-end latencies, ms. */
const POLL_MS = 5;

export interface SluiceKafkaResult {
  readonly line: Record<string, unknown>;
  readonly recordsPerSecond: number;
}

interface OutputAnalysis {
  readonly lines: number;
  readonly firstReadAt: number;
  readonly duplicates: number;
  readonly missing: number;
  /** Records whose line was written after the watch ended (only with duplicates): no latency. */
  readonly untimed: number;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/**
 * Sluice Kafka pass-through, run by the real host (`createHost`, so the Kafka transport is built
 * exactly as `sluice run` builds it): generator → channel topic → file sink, from
 * bench/kafka/sluice-kafka-passthrough.yaml.
 *
 * Throughput: from the first record read (the `ts` the generator stamped on record 0) to the moment
 * the watcher saw the last line in the sink's file. Latency: per record, from its `ts` to the poll
 * that first saw its line (exact over all records, resolution {@link POLL_MS} ms). The pipeline
 * status's own latencyMs is only read → broker acknowledgement on the Kafka transport (the source's
 * publish resolves once the broker stored the batch), so it is reported separately as `publish*`.
 */
export async function runSluiceKafkaPassthrough(
  settings: KafkaBenchSettings,
  scenarioDir: string,
  brokerPid: number | null,
  leftovers: BrokerLeftovers,
  scenario = 'kafka-sluice',
): Promise<SluiceKafkaResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-bench-kafka-'));
  const output = join(dataDir, 'out.jsonl');
  const loadAvg1m = Number(loadavg()[0].toFixed(2));
  const env = {
    ...process.env,
    BENCH_RUN: settings.run,
    BENCH_KAFKA_COUNT: String(settings.count),
    BENCH_KAFKA_SIZE: String(settings.size),
    BENCH_KAFKA_RATE: String(settings.rate),
    BENCH_DATA_DIR: dataDir,
    KAFKA_BROKERS: settings.brokers,
  };
  const config = await loadConfig(join(scenarioDir, 'sluice-kafka-passthrough.yaml'), { env });
  if (config.transport.kind !== 'kafka') throw new Error('sluice-kafka-passthrough.yaml must use the kafka transport');
  const pipeline = config.pipelines[0].name;
  // The channel topic and the sink's consumer group (see Pipeline.start), deleted after the run.
  leftovers.topics.push(`${pipeline}.stage-1`);
  leftovers.groups.push(`${config.transport.groupPrefix}.${pipeline}.sink`);
  // Logs go to stderr: stdout carries only the bench's JSON lines.
  const logger = createLogger(config.log, pino.destination({ dest: 2, sync: true }));
  const watcher = OutputFileWatcher.start({ path: output, fromOffset: 0, targetLines: settings.count, pollMs: POLL_MS, timeoutMs: settings.timeoutMs });
  let host: SluiceHost | undefined;
  try {
    host = await createHost(config, logger, { processMetrics: false });
    // The runtime started the source last, once the sink's consumer had joined its group.
    const cpu = new CpuWindow({ broker: brokerPid });
    const timeline = await watcher.result;
    const cpuPercent = cpu.stop();
    const status = host.runtime.status().pipelines[0];
    const rssMb = Math.round(process.memoryUsage().rss / 1048576);
    await host.close();
    host = undefined;

    const doneAt = timeline.lastSeenAt!;
    const analysis = analyseOutput(output, settings.count, (index) => timeline.seenAt(index));
    const seconds = (doneAt - analysis.firstReadAt) / 1000;
    const recordsPerSecond = Math.round(settings.count / seconds);
    return {
      recordsPerSecond,
      line: {
        scenario,
        records: settings.count,
        recordBytes: settings.size,
        ...(settings.rate > 0 ? { rate: settings.rate } : {}),
        seconds: Number(seconds.toFixed(3)),
        recordsPerSecond,
        mbPerSecond: Number(((settings.count * settings.size) / 1048576 / seconds).toFixed(2)),
        p50LatencyMs: analysis.p50,
        p99LatencyMs: analysis.p99,
        maxLatencyMs: analysis.max,
        latencyResolutionMs: POLL_MS,
        publishP50Ms: status.latencyMs.p50,
        publishP99Ms: status.latencyMs.p99,
        duplicates: analysis.duplicates,
        missing: analysis.missing,
        ...(analysis.untimed > 0 ? { untimedRecords: analysis.untimed } : {}),
        deadLettered: status.stages.reduce((n, s) => n + s.counters.deadLettered, 0),
        nodeCpuPercent: cpuPercent.node,
        brokerCpuPercent: cpuPercent.broker,
        otherCpuPercent: cpuPercent.others,
        rssMb,
        loadAvg1m,
      },
    };
  } finally {
    await host?.close().catch(() => undefined);
    await watcher.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Reads the sink's file once the run is over (off the clock): every value's `id` and `ts`, the
 * latency of each line, and a check that each of the `count` ids arrived (at-least-once delivery may
 * add duplicates, which are counted, never hidden).
 */
function analyseOutput(path: string, count: number, seenAt: (index: number) => number | null): OutputAnalysis {
  const latencies = new Float64Array(count);
  const seen = new Uint8Array(count);
  let firstReadAt = Number.POSITIVE_INFINITY;
  let duplicates = 0;
  let unique = 0;
  let timed = 0;
  let unseen = 0;
  const lines = forEachLine(path, 0, (text, index) => {
    const value = JSON.parse(text) as { id?: unknown; ts?: unknown };
    if (typeof value.id !== 'number' || typeof value.ts !== 'number' || value.id < 0 || value.id >= count) {
      throw new Error(`${path}:${index + 1}: not a record of this run: ${text.slice(0, 120)}`);
    }
    if (value.ts < firstReadAt) firstReadAt = value.ts;
    if (seen[value.id] === 1) {
      duplicates++;
      return;
    }
    seen[value.id] = 1;
    const at = seenAt(index);
    // With duplicates, the watch (count lines) ended before the last unique lines were written.
    if (at === null) unseen++;
    else latencies[timed++] = at - value.ts;
    unique++;
  });
  const [p50, p99, max] = percentiles(latencies.subarray(0, timed), [50, 99, 100]);
  return { lines, firstReadAt, duplicates, missing: count - unique, untimed: unseen, p50, p99, max };
}
