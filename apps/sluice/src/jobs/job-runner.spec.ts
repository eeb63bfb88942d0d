import { describe, expect, it } from '@jest/globals';
import type { JsonValue } from '@sluice/sdk';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { Writable } from 'node:stream';
import type { JobConfig } from '#runtime';
import { JobMetrics } from './job-metrics.js';
import { JobBusyError, JobRunner, JobsStoppedError } from './job-runner.js';
import type { JobTask } from './job-task.js';

/** A task whose runs the test drives: each run waits until released (or rejects on abort, unless deaf). */
class ScriptedTask implements JobTask {
  readonly kind = 'trigger';
  readonly description = 'a scripted task';
  readonly signals: AbortSignal[] = [];
  private releases: Array<(value: JsonValue | Error) => void> = [];

  constructor(private readonly options: { deaf?: boolean } = {}) {}

  check(): void {}

  run(signal: AbortSignal): Promise<JsonValue> {
    this.signals.push(signal);
    return new Promise((resolve, reject) => {
      this.releases.push((value) => (value instanceof Error ? reject(value) : resolve(value)));
      if (!this.options.deaf) signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
    });
  }

  /** Ends the oldest pending run with a result or an error. */
  release(value: JsonValue | Error): void {
    this.releases.shift()?.(value);
  }
}

const job = (overrides: Partial<JobConfig> = {}): JobConfig => ({
  name: 'export',
  schedule: { kind: 'interval', intervalMs: 60_000 },
  runOnStart: false,
  timeoutMs: 60_000,
  task: { kind: 'trigger', pipeline: 'p' },
  path: 'jobs[0]',
  ...overrides,
});

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

function harness(config: JobConfig, task: JobTask, stopGraceMs?: number) {
  const registry = new Registry();
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as LogLine);
      done();
    },
  });
  const runner = new JobRunner(config, task, { metrics: new JobMetrics(registry), logger: pino({ level: 'info' }, stream), ...(stopGraceMs === undefined ? {} : { stopGraceMs }) });
  const metric = async (name: string, labels: Record<string, string>) => {
    const found = (await registry.getSingleMetric(name)?.get())?.values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value) && (!('le' in labels) || v.labels.le === labels.le));
    return found?.value;
  };
  return { runner, lines, metric, registry };
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('JobRunner', () => {
  it('records an ok run with its result, counts it, logs it at info and exports the metrics', async () => {
    const task = new ScriptedTask();
    const { runner, lines, metric } = harness(job(), task);
    expect(await metric('sluice_job_runs_total', { job: 'export', outcome: 'ok' })).toBe(0);
    const running = runner.tick('schedule');
    expect(runner.running).toBe(true);
    expect(await metric('sluice_job_running', { job: 'export' })).toBe(1);
    task.release({ rows: 3 });
    const record = await running;
    expect(record).toMatchObject({ reason: 'schedule', outcome: 'ok', result: { rows: 3 } });
    expect(Date.parse(record!.finishedAt)).toBeGreaterThanOrEqual(Date.parse(record!.startedAt));
    expect(record!.durationMs).toBe(Date.parse(record!.finishedAt) - Date.parse(record!.startedAt));
    await settle();
    expect(runner.state()).toMatchObject({ name: 'export', kind: 'trigger', schedule: 'every 60000 ms', running: false, runningSince: null, lastRun: record, counts: { ok: 1, failed: 0, skipped: 0, timeout: 0 } });
    expect(await metric('sluice_job_runs_total', { job: 'export', outcome: 'ok' })).toBe(1);
    expect(await metric('sluice_job_running', { job: 'export' })).toBe(0);
    expect(await metric('sluice_job_duration_seconds', { job: 'export', le: '+Inf' })).toBe(1);
    expect(await metric('sluice_job_last_run_timestamp_seconds', { job: 'export', outcome: 'ok' })).toBe(Date.parse(record!.finishedAt) / 1000);
    expect(lines.map((l) => [l.level, l.msg, l.outcome])).toEqual([[30, 'job export: ok', 'ok']]);
    expect(lines[0]).toMatchObject({ job: 'export', reason: 'schedule', result: { rows: 3 } });
  });

  it('records a failed run with its error, logged at warn', async () => {
    const task = new ScriptedTask();
    const { runner, lines, metric } = harness(job(), task);
    const running = runner.runNow();
    task.release(new Error('POST https://hooks.example.com/x answered HTTP 500'));
    expect(await running).toMatchObject({ reason: 'manual', outcome: 'failed', error: 'POST https://hooks.example.com/x answered HTTP 500' });
    expect(runner.state().counts).toEqual({ ok: 0, failed: 1, skipped: 0, timeout: 0 });
    expect(await metric('sluice_job_runs_total', { job: 'export', outcome: 'failed' })).toBe(1);
    expect(lines.map((l) => [l.level, l.msg, l.err])).toEqual([[40, 'job export: failed', 'POST https://hooks.example.com/x answered HTTP 500']]);
  });

  it('skips a tick that comes while a run is under way, and refuses a manual run then', async () => {
    const task = new ScriptedTask();
    const { runner, metric, lines } = harness(job(), task);
    const first = runner.tick('schedule');
    const skipped = await runner.tick('schedule');
    expect(skipped).toMatchObject({ reason: 'schedule', outcome: 'skipped', durationMs: 0, error: expect.stringMatching(/^the previous run \(started at .+\) is still running$/) });
    await expect(runner.runNow()).rejects.toThrow(JobBusyError);
    await expect(runner.runNow()).rejects.toThrow(/^job "export" is already running \(since .+\)$/);
    expect(task.signals).toHaveLength(1);
    expect(runner.state()).toMatchObject({ running: true, runningSince: expect.any(String), lastRun: skipped });
    task.release('done');
    expect(await first).toMatchObject({ outcome: 'ok', result: 'done' });
    expect(runner.state().counts).toEqual({ ok: 1, failed: 0, skipped: 1, timeout: 0 });
    expect(await metric('sluice_job_runs_total', { job: 'export', outcome: 'skipped' })).toBe(1);
    expect(await metric('sluice_job_duration_seconds', { job: 'export', le: '+Inf' })).toBe(1);
    expect(lines.find((l) => l.outcome === 'skipped')?.level).toBe(40);
  });

  it('aborts a run after timeoutMs and records a timeout', async () => {
    const task = new ScriptedTask();
    const { runner, metric } = harness(job({ timeoutMs: 20 }), task);
    const record = await runner.tick('schedule');
    expect(record).toMatchObject({ outcome: 'timeout', error: 'timed out after 20 ms' });
    expect(task.signals[0]!.aborted).toBe(true);
    await settle();
    expect(runner.running).toBe(false);
    expect(await metric('sluice_job_runs_total', { job: 'export', outcome: 'timeout' })).toBe(1);
    expect(await metric('sluice_job_last_run_timestamp_seconds', { job: 'export', outcome: 'timeout' })).toBe(Date.parse(record!.finishedAt) / 1000);
  });

  it('keeps a job whose task ignores the abort busy until the task ends: runs never overlap', async () => {
    const task = new ScriptedTask({ deaf: true });
    const { runner, metric } = harness(job({ timeoutMs: 20 }), task);
    expect(await runner.tick('schedule')).toMatchObject({ outcome: 'timeout' });
    expect(runner.running).toBe(true);
    expect(await runner.tick('schedule')).toMatchObject({ outcome: 'skipped' });
    expect(await metric('sluice_job_running', { job: 'export' })).toBe(1);
    task.release('late');
    await settle();
    expect(runner.running).toBe(false);
    expect(await metric('sluice_job_running', { job: 'export' })).toBe(0);
    expect(runner.state().counts).toEqual({ ok: 0, failed: 0, skipped: 1, timeout: 1 });
  });

  it('stop() aborts the run under way and waits for it; then no run starts', async () => {
    const task = new ScriptedTask();
    const { runner } = harness(job(), task);
    const running = runner.tick('start');
    await runner.stop();
    expect(task.signals[0]!.aborted).toBe(true);
    expect(runner.running).toBe(false);
    expect(await running).toMatchObject({ reason: 'start', outcome: 'failed', error: 'aborted: the host is stopping' });
    expect(await runner.tick('schedule')).toBeUndefined();
    await expect(runner.runNow()).rejects.toThrow(JobsStoppedError);
    expect(task.signals).toHaveLength(1);
    expect(runner.state().nextRunAt).toBeNull();
  });

  it('stop() gives up on a task that ignores the abort after the grace period', async () => {
    const task = new ScriptedTask({ deaf: true });
    const { runner, lines } = harness(job(), task, 10);
    void runner.tick('schedule');
    await runner.stop();
    expect(runner.running).toBe(true);
    expect(lines.some((l) => l.level === 40 && l.msg === 'job export: the run did not end after its abort; shutdown goes on without it')).toBe(true);
    task.release('late');
  });

  it('describes a cron schedule with its time zone', () => {
    const { runner } = harness(job({ schedule: { kind: 'cron', expression: '0 2 * * *', timeZone: 'Europe/Paris' }, description: 'nightly' }), new ScriptedTask());
    expect(runner.state()).toMatchObject({ name: 'export', description: 'nightly', schedule: 'cron "0 2 * * *" (Europe/Paris)', nextRunAt: null, lastRun: null });
  });
});
