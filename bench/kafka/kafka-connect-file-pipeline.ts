import { closeSync, existsSync, openSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { BrokerLeftovers } from './broker-cleanup.js';
import { CpuWindow } from './cpu-window.js';
import { forEachLine } from './file-lines.js';
import type { KafkaBenchSettings } from './kafka-bench-settings.js';
import { OutputFileWatcher } from './output-file-watcher.js';
import type { ServicesHarness } from './services-harness.js';

const POLL_MS = 5;
/** The connectors and topic services.sh configures (services.sh start_connect). */
const CONNECTORS = ['perf-file-source', 'perf-file-sink'] as const;
const CONNECT_TOPIC = 'connect-perf';
const CONNECT_SINK_GROUP = 'connect-perf-file-sink';
const CONNECT_REST = 'http://127.0.0.1:8083';
const LINES_PER_WRITE = 10_000;
const PAD = 'x'.repeat(1_000_000);

export interface ConnectResult {
  readonly line: Record<string, unknown>;
  /** From the first record seen in the output file (the figure that favours Connect; the ratios use it). */
  readonly recordsPerSecond: number;
}

/**
 * Kafka Connect standalone, FileStreamSource → topic `connect-perf` → FileStreamSink, as
 * `services.sh up connect` configures it (batch.size 2000, StringConverter). Appends N lines of
 * `size` bytes (plus the newline) to its input file and times until its output file holds them.
 *
 * Two figures: from the first line seen in the output (`recordsPerSecond`) and from the first input
 * write (`fromInputWriteRecordsPerSecond`). Connect's file source sleeps up to 1 s when it finds no
 * new input, and its first read cannot be observed, so the true "first record read → last stored"
 * rate lies between the two; `recordsPerSecond` (used by the ratios) is the one that favours Connect.
 *
 * A Connect already running (started by someone else) is used and left running. One the bench
 * starts is stopped afterwards, and the files and topic of its run are cleaned up.
 */
export async function runKafkaConnectFilePipeline(
  settings: KafkaBenchSettings,
  harness: ServicesHarness,
  brokerPid: number | null,
  leftovers: BrokerLeftovers,
): Promise<ConnectResult> {
  const dir = harness.connectDir;
  const input = join(dir, 'input.txt');
  const output = join(dir, 'output.txt');
  const startedByBench = !(await harness.connectRunning());
  if (startedByBench) {
    // start_connect empties input.txt but keeps connect.offsets: a stale saved position would make
    // the file source skip that many bytes of the new input. Nothing runs that could use it.
    rmSync(join(dir, 'connect.offsets'), { force: true });
    // Its topic (N × size bytes a run) and its sink's consumer group go afterwards.
    leftovers.topics.push(CONNECT_TOPIC);
    leftovers.groups.push(CONNECT_SINK_GROUP);
    await harness.upConnect();
  }
  try {
    await waitForRunningTasks(settings.timeoutMs);
    await warmUp(settings, input, output);
    const loadAvg1m = Number(loadavg()[0].toFixed(2));
    const fromOffset = existsSync(output) ? statSync(output).size : 0;
    const watcher = OutputFileWatcher.start({ path: output, fromOffset, targetLines: settings.count, pollMs: POLL_MS, timeoutMs: settings.timeoutMs });
    try {
      const cpu = new CpuWindow({ broker: brokerPid, connect: harness.pidOf('connect') });
      const writeStartedAt = Date.now();
      appendRunLines(input, settings);
      const writeMs = Date.now() - writeStartedAt;
      const timeline = await watcher.result;
      const cpuPercent = cpu.stop();
      const doneAt = timeline.lastSeenAt!;
      const firstOutputAt = timeline.firstSeenAt!;
      let ours = 0;
      const marker = `"run":"${settings.run}"`;
      const lines = forEachLine(output, fromOffset, (text) => {
        if (text.includes(marker)) ours++;
      });
      if (ours !== settings.count) {
        throw new Error(`Kafka Connect: ${output} got ${lines} lines after the warm-up, ${ours} of them from this run; expected ${settings.count}`);
      }
      const seconds = (doneAt - firstOutputAt) / 1000;
      const fromInputWriteSeconds = (doneAt - writeStartedAt) / 1000;
      const recordsPerSecond = Math.round(settings.count / seconds);
      return {
        recordsPerSecond,
        line: {
          scenario: 'kafka-connect',
          records: settings.count,
          recordBytes: settings.size,
          seconds: Number(seconds.toFixed(3)),
          recordsPerSecond,
          mbPerSecond: Number(((settings.count * settings.size) / 1048576 / seconds).toFixed(2)),
          fromInputWriteSeconds: Number(fromInputWriteSeconds.toFixed(3)),
          fromInputWriteRecordsPerSecond: Math.round(settings.count / fromInputWriteSeconds),
          firstOutputAfterMs: firstOutputAt - writeStartedAt,
          inputWriteMs: writeMs,
          connectCpuPercent: cpuPercent.connect,
          brokerCpuPercent: cpuPercent.broker,
          otherCpuPercent: cpuPercent.others,
          loadAvg1m,
        },
      };
    } finally {
      await watcher.stop();
    }
  } finally {
    if (startedByBench) {
      await harness.down('connect');
      // Its input and output (2 × N × size bytes) and saved position are of no use to anyone now.
      for (const file of [input, output]) if (existsSync(file)) truncateSync(file, 0);
      rmSync(join(dir, 'connect.offsets'), { force: true });
    }
  }
}

/** Waits until both connectors report a RUNNING task on Connect's REST API. */
async function waitForRunningTasks(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const states = await Promise.all(
      CONNECTORS.map(async (name) => {
        try {
          const response = await fetch(`${CONNECT_REST}/connectors/${name}/status`);
          const body = (await response.json()) as { tasks?: Array<{ state?: string }> };
          return body.tasks?.[0]?.state ?? 'NO TASK';
        } catch (error) {
          return error instanceof Error ? error.message : String(error);
        }
      }),
    );
    if (states.every((s) => s === 'RUNNING')) return;
    last = CONNECTORS.map((name, i) => `${name}: ${states[i]}`).join(', ');
    if (Date.now() > deadline) throw new Error(`Kafka Connect: connector tasks not running after ${timeoutMs / 1000} s (${last})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** One line through the whole path first, so the timed run starts with its consumer assigned and producer connected. */
async function warmUp(settings: KafkaBenchSettings, input: string, output: string): Promise<void> {
  const fromOffset = existsSync(output) ? statSync(output).size : 0;
  const watcher = OutputFileWatcher.start({ path: output, fromOffset, targetLines: 1, pollMs: 20, timeoutMs: settings.timeoutMs });
  try {
    const fd = openSync(input, 'a');
    try {
      writeSync(fd, `{"warmup":"${settings.run}"}\n`);
    } finally {
      closeSync(fd);
    }
    await watcher.result;
  } finally {
    await watcher.stop();
  }
}

/** Appends `count` lines `{"id":i,"run":"<run>","payload":"xx…"}` of exactly `size` bytes each (plus "\n"). */
function appendRunLines(input: string, settings: KafkaBenchSettings): void {
  const fd = openSync(input, 'a');
  try {
    for (let first = 0; first < settings.count; first += LINES_PER_WRITE) {
      const last = Math.min(settings.count, first + LINES_PER_WRITE);
      let text = '';
      for (let id = first; id < last; id++) {
        const head = `{"id":${id},"run":"${settings.run}","payload":"`;
        text += `${head}${PAD.slice(0, Math.max(0, settings.size - head.length - 2))}"}\n`;
      }
      const data = Buffer.from(text, 'utf8');
      for (let written = 0; written < data.length; ) written += writeSync(fd, data, written, data.length - written);
    }
  } finally {
    closeSync(fd);
  }
}
