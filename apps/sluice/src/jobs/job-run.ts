import type { JsonValue } from '@sluice/sdk';

/** How a run ended: `skipped` when a tick came while the previous run was still running. */
export type JobOutcome = 'ok' | 'failed' | 'skipped' | 'timeout';

export const JOB_OUTCOMES: readonly JobOutcome[] = ['ok', 'failed', 'skipped', 'timeout'];

/** What started a run: the schedule, the host's start (`runOnStart`), or POST /api/jobs/:name/run. */
export type JobRunReason = 'schedule' | 'start' | 'manual';

/** One run of a job, as /api/jobs shows it. */
export interface JobRunRecord {
  readonly reason: JobRunReason;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly outcome: JobOutcome;
  /** Why it failed, timed out or was skipped. */
  readonly error?: string;
  /** What the run reported (records triggered, rows exported, the action's summary). */
  readonly result?: JsonValue;
}

/** A job as GET /api/jobs shows it: its definition, whether it runs, its last run and counters. */
export interface JobState {
  readonly name: string;
  readonly description?: string;
  /** `trigger`, `query` or `action`. */
  readonly kind: string;
  /** What it does, in words, e.g. `trigger the source of pipeline "pokemon"`. */
  readonly task: string;
  /** When it runs, e.g. `cron "0 2 * * *" (Europe/Paris)` or `every 60000 ms`. */
  readonly schedule: string;
  readonly timeoutMs: number;
  readonly running: boolean;
  /** Start of the run under way (ISO 8601). */
  readonly runningSince: string | null;
  /** Next scheduled run (ISO 8601); null once the jobs stopped. */
  readonly nextRunAt: string | null;
  readonly lastRun: JobRunRecord | null;
  readonly counts: Readonly<Record<JobOutcome, number>>;
}
