import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { JOB_OUTCOMES, type JobOutcome } from './job-run.js';

/**
 * Prometheus metrics of the scheduled jobs, on the host's registry (served by /metrics):
 * `sluice_job_runs_total{job,outcome}`, `sluice_job_duration_seconds{job}`,
 * `sluice_job_last_run_timestamp_seconds{job,outcome}` and `sluice_job_running{job}`.
 */
export class JobMetrics {
  private readonly runs: Counter<'job' | 'outcome'>;
  private readonly duration: Histogram<'job'>;
  private readonly lastRun: Gauge<'job' | 'outcome'>;
  private readonly running: Gauge<'job'>;

  constructor(registry: Registry) {
    this.runs = new Counter({ name: 'sluice_job_runs_total', help: 'Runs of each scheduled job, by outcome (ok, failed, skipped, timeout).', labelNames: ['job', 'outcome'], registers: [registry] });
    this.duration = new Histogram({
      name: 'sluice_job_duration_seconds',
      help: 'Duration of the runs of each scheduled job (skipped ticks excluded).',
      labelNames: ['job'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600],
      registers: [registry],
    });
    this.lastRun = new Gauge({ name: 'sluice_job_last_run_timestamp_seconds', help: 'When each job last finished a run with each outcome (Unix time).', labelNames: ['job', 'outcome'], registers: [registry] });
    this.running = new Gauge({ name: 'sluice_job_running', help: '1 while a run of the job is under way, else 0.', labelNames: ['job'], registers: [registry] });
  }

  /** Makes a job's series exist (at 0) before its first run. */
  register(job: string): void {
    for (const outcome of JOB_OUTCOMES) this.runs.inc({ job, outcome }, 0);
    this.running.set({ job }, 0);
  }

  started(job: string): void {
    this.running.set({ job }, 1);
  }

  /** A run ended (the job may still be busy with a task that ignores its abort: see {@link idle}). */
  finished(job: string, outcome: JobOutcome, durationMs: number, finishedAt: number): void {
    this.runs.inc({ job, outcome });
    if (outcome !== 'skipped') this.duration.observe({ job }, durationMs / 1000);
    this.lastRun.set({ job, outcome }, finishedAt / 1000);
  }

  idle(job: string): void {
    this.running.set({ job }, 0);
  }
}
