import { describeError, type JsonValue } from '@sluice/sdk';
import type { Logger } from 'pino';
import type { JobConfig, JobSchedule } from '#runtime';
import type { JobMetrics } from './job-metrics.js';
import type { JobOutcome, JobRunReason, JobRunRecord, JobState } from './job-run.js';
import type { JobTask } from './job-task.js';

/** A run was asked for while one is under way (POST /api/jobs/:name/run answers 409). */
export class JobBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobBusyError';
  }
}

/** A run was asked for once the jobs stopped (the host is shutting down). */
export class JobsStoppedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobsStoppedError';
  }
}

export interface JobRunnerOptions {
  readonly metrics: JobMetrics;
  readonly logger: Logger;
  /** Wall clock, epoch ms (tests pass their own). */
  readonly now?: () => number;
  /** How long {@link JobRunner.stop} waits for a run that does not honour its abort (ms). Default 10 s. */
  readonly stopGraceMs?: number;
}

/** `cron "0 2 * * *" (Europe/Paris)` or `every 60000 ms`. */
export function describeSchedule(schedule: JobSchedule): string {
  return schedule.kind === 'cron' ? `cron "${schedule.expression}"${schedule.timeZone ? ` (${schedule.timeZone})` : ''}` : `every ${schedule.intervalMs} ms`;
}

interface RunUnderWay {
  readonly startedAt: number;
  readonly controller: AbortController;
  /** Settles once the task itself settled (possibly after the run was recorded as a timeout). */
  readonly settled: Promise<void>;
}

type TaskEnd = { readonly ok: true; readonly result: JsonValue } | { readonly ok: false; readonly error: unknown };

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Runs one job: never two runs at once (a tick while a run is under way is recorded as `skipped`),
 * each run aborted after `timeoutMs` (outcome `timeout`), and keeps the last run, the counts per
 * outcome and the metrics. A task that ignores its abort keeps the job busy until it settles, so
 * runs never overlap even then.
 */
export class JobRunner {
  /** Next scheduled run (epoch ms), as the scheduler knows it; null when not scheduled. */
  nextRunAt: () => number | null = () => null;
  private current?: RunUnderWay;
  private last: JobRunRecord | null = null;
  private readonly counts: Record<JobOutcome, number> = { ok: 0, failed: 0, skipped: 0, timeout: 0 };
  private stopped = false;
  private readonly now: () => number;

  constructor(
    readonly job: JobConfig,
    readonly task: JobTask,
    private readonly options: JobRunnerOptions,
  ) {
    this.now = options.now ?? Date.now;
    options.metrics.register(job.name);
  }

  get name(): string {
    return this.job.name;
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  /** A scheduled tick (or the run at start): runs the job unless a run is under way, which makes it `skipped`. */
  async tick(reason: Exclude<JobRunReason, 'manual'>): Promise<JobRunRecord | undefined> {
    if (this.stopped) return undefined;
    const current = this.current;
    if (current) {
      const at = this.now();
      return this.record({ reason, startedAt: iso(at), finishedAt: iso(at), durationMs: 0, outcome: 'skipped', error: `the previous run (started at ${iso(current.startedAt)}) is still running` }, at);
    }
    return this.execute(reason);
  }

  /** Runs the job now (POST /api/jobs/:name/run); throws {@link JobBusyError} while a run is under way. */
  async runNow(): Promise<JobRunRecord> {
    if (this.stopped) throw new JobsStoppedError(`job "${this.name}" cannot run: the jobs are stopping with the host`);
    if (this.current) throw new JobBusyError(`job "${this.name}" is already running (since ${iso(this.current.startedAt)})`);
    return this.execute('manual');
  }

  /** No more runs; aborts the run under way and waits for it (at most `stopGraceMs` when it ignores the abort). */
  async stop(): Promise<void> {
    this.stopped = true;
    const current = this.current;
    if (!current) return;
    current.controller.abort(new Error('aborted: the host is stopping'));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'grace'>((resolve) => (timer = setTimeout(() => resolve('grace'), this.options.stopGraceMs ?? 10_000)));
    const ended = await Promise.race([current.settled.then(() => 'settled' as const), grace]);
    clearTimeout(timer);
    if (ended === 'grace') this.options.logger.warn({ job: this.name }, `job ${this.name}: the run did not end after its abort; shutdown goes on without it`);
  }

  state(): JobState {
    const next = this.stopped ? null : this.nextRunAt();
    return {
      name: this.name,
      ...(this.job.description ? { description: this.job.description } : {}),
      kind: this.task.kind,
      task: this.task.description,
      schedule: describeSchedule(this.job.schedule),
      timeoutMs: this.job.timeoutMs,
      running: this.running,
      runningSince: this.current ? iso(this.current.startedAt) : null,
      nextRunAt: next === null ? null : iso(next),
      lastRun: this.last,
      counts: { ...this.counts },
    };
  }

  private async execute(reason: JobRunReason): Promise<JobRunRecord> {
    const { metrics } = this.options;
    const startedAt = this.now();
    const controller = new AbortController();
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort(new Error(`timed out after ${this.job.timeoutMs} ms`));
        resolve('timeout');
      }, this.job.timeoutMs);
    });
    // Called synchronously: the task sees its signal (and any abort) from the first moment.
    let started: Promise<JsonValue>;
    try {
      started = Promise.resolve(this.task.run(controller.signal));
    } catch (error) {
      started = Promise.reject(error);
    }
    const work: Promise<TaskEnd> = started.then(
      (result): TaskEnd => ({ ok: true, result: result ?? null }),
      (error: unknown): TaskEnd => ({ ok: false, error }),
    );
    const run: RunUnderWay = {
      startedAt,
      controller,
      settled: work.then(() => {
        clearTimeout(timer);
        if (this.current === run) this.current = undefined;
        metrics.idle(this.name);
      }),
    };
    this.current = run;
    metrics.started(this.name);

    const end = await Promise.race([work, timeout]);
    const finishedAt = this.now();
    const base = { reason, startedAt: iso(startedAt), finishedAt: iso(finishedAt), durationMs: finishedAt - startedAt };
    if (end === 'timeout' || (!end.ok && timedOut)) return this.record({ ...base, outcome: 'timeout', error: `timed out after ${this.job.timeoutMs} ms` }, finishedAt);
    if (end.ok) return this.record({ ...base, outcome: 'ok', result: end.result }, finishedAt);
    return this.record({ ...base, outcome: 'failed', error: describeError(end.error) }, finishedAt);
  }

  private record(run: JobRunRecord, finishedAt: number): JobRunRecord {
    this.last = run;
    this.counts[run.outcome]++;
    this.options.metrics.finished(this.name, run.outcome, run.durationMs, finishedAt);
    const fields = { job: this.name, reason: run.reason, outcome: run.outcome, durationMs: run.durationMs };
    if (run.outcome === 'ok') this.options.logger.info({ ...fields, result: run.result }, `job ${this.name}: ok`);
    else this.options.logger.warn({ ...fields, err: run.error }, `job ${this.name}: ${run.outcome}`);
    return run;
  }
}
