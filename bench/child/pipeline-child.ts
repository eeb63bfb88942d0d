// One bench scenario in a process of its own, so that its peak RSS is the pipeline's alone:
//   node dist/bench/child/pipeline-child.js <config.yaml>
// Runs the config (its environment interpolated from this process's environment) through the real
// config loader and runtime on the embedded transport until the source's input is read and
// committed, then writes one PipelineChildReport as JSON to file descriptor 3 (stdout stays free
// for Sluice's own log lines). The first pipeline of the config is the measured one.
//
// The window: the sink's `acked` counter (records stored) is polled every millisecond; the window
// runs from the first poll that sees a stored record to the first poll that sees the last one. A
// synchronous sink (SQLite) holds the event loop while it writes, so a poll lands right after the
// write that stored its records.
import 'reflect-metadata';
import { writeSync } from 'node:fs';
import { createLogger, loadConfig, RuntimeMetrics, SluiceRuntime, type StageMonitor } from '#runtime';
import { createEmbeddedTransport } from '#transports';
import type { PipelineChildReport } from './pipeline-child-report.js';

/** Keeps the stage monitors the pipelines register, so the child reads counters without snapshots. */
class WatchedMetrics extends RuntimeMetrics {
  readonly stageMonitors: StageMonitor[] = [];

  override watch(monitor: StageMonitor): void {
    this.stageMonitors.push(monitor);
    super.watch(monitor);
  }
}

const REPORT_FD = 3;
const seconds = (ms: number) => Number((ms / 1000).toFixed(3));

async function main(file: string): Promise<PipelineChildReport> {
  const config = await loadConfig(file, { env: process.env });
  const metrics = new WatchedMetrics({ defaultMetrics: false });
  const runtime = new SluiceRuntime(config, createEmbeddedTransport().transport, createLogger({ level: 'warn', pretty: false }), metrics);
  let firstAt: number | undefined;
  let lastAt = 0;
  let storedAtFirst = 0;
  let seen = 0;
  const sinkOf = () => metrics.stageMonitors.find((m) => m.pipeline === config.pipelines[0]!.name && m.stage === 'sink');
  const poll = () => {
    const stored = sinkOf()?.counters.acked ?? 0;
    if (stored === seen) return;
    const now = performance.now();
    if (firstAt === undefined) {
      firstAt = now;
      storedAtFirst = stored;
    }
    lastAt = now;
    seen = stored;
  };
  const poller = setInterval(poll, 1);
  try {
    await runtime.start();
    await Promise.all(runtime.pipelines.map((p) => p.sourceFinished()));
    poll();
  } finally {
    clearInterval(poller);
  }
  const status = runtime.status().pipelines[0]!;
  await runtime.stop();
  const end = performance.now();
  const mine = metrics.stageMonitors.filter((m) => m.pipeline === status.name);
  const counter = (stage: string, field: 'out' | 'acked') => mine.find((m) => m.stage === stage)?.counters[field] ?? 0;
  return {
    stored: counter('sink', 'acked'),
    read: counter('source', 'out'),
    deadLettered: mine.reduce((n, m) => n + m.counters.deadLettered, 0),
    dropped: mine.reduce((n, m) => n + m.counters.dropped, 0),
    // performance.now() counts from the process's time origin: start-up is everything before the window.
    startupSeconds: seconds(firstAt ?? end),
    windowSeconds: firstAt === undefined ? 0 : seconds(lastAt - firstAt),
    storedAtWindowStart: storedAtFirst,
    shutdownSeconds: seconds(end - (firstAt === undefined ? end : lastAt)),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    p50LatencyMs: status.latencyMs.p50,
    p99LatencyMs: status.latencyMs.p99,
    stages: mine.map((m) => ({
      stage: m.stage,
      plugin: m.plugin,
      in: m.counters.in,
      acked: m.counters.acked,
      dropped: m.counters.dropped,
      deadLettered: m.counters.deadLettered,
      retried: m.counters.retried,
    })),
  };
}

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node dist/bench/child/pipeline-child.js <config.yaml>\n');
  process.exit(2);
}
try {
  const report = await main(file);
  writeSync(REPORT_FD, JSON.stringify(report));
} catch (error) {
  process.stderr.write(`[bench child] ${file}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
