import { Inject, Injectable, NotFoundException, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { describeError, didYouMean } from '@sluice/sdk';
import { CronJob } from 'cron';
import type { Logger } from 'pino';
import type { JobConfig, RuntimeMetrics, SluiceConfig, SluiceRuntime } from '#runtime';
import { SLUICE_RUNTIME } from '#health';
import type { Leadership } from '#transports';
import { QueryRegistry } from '#query';
import { RUNTIME_METRICS, SLUICE_CONFIG, SLUICE_LOGGER } from '../host/tokens.js';
import { ActionTask } from './action-task.js';
import { JobMetrics } from './job-metrics.js';
import type { JobRunRecord, JobState } from './job-run.js';
import { JobRunner, JobsStoppedError } from './job-runner.js';
import type { JobTask } from './job-task.js';
import { QueryTask } from './query-task.js';
import { TriggerTask } from './trigger-task.js';

/** The name a job is registered under in Nest's SchedulerRegistry (shared with any @Cron/@Interval of the app). */
export function schedulerKey(job: string): string {
  return `sluice.job.${job}`;
}

/**
 * The scheduled jobs of the config (`jobs:`), run through @nestjs/schedule's SchedulerRegistry:
 * cron jobs as `CronJob`s (in their time zone), interval jobs as `setInterval`s.
 *
 * They start once the host bootstrapped (after the runtime started the pipelines: the host module
 * is global, so its lifecycle hooks run first), when every job is checked against the running
 * pipelines (a source that can be triggered, a stage and its action, a named query): any problem
 * stops the pipelines and fails the startup with one message listing them all. On shutdown they
 * stop before the pipelines drain: no new ticks, runs under way aborted and awaited.
 *
 * With several hosts on one config (Kafka transport), scheduled runs happen on the leader only
 * (the runtime's lead: membership of the consumer group `<groupPrefix>.leader`, see
 * KafkaGroupLeadership; the sources that cannot be split run there too): each tick
 * runs once across the hosts, and another host takes over when the leader stops or dies. A run
 * asked for by hand (`POST /api/jobs/:name/run`) runs on the host asked.
 */
@Injectable()
export class JobScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runners: ReadonlyMap<string, JobRunner>;
  private readonly logger: Logger;
  /** Whether this host runs the scheduled ticks. */
  private readonly leadership: Leadership;
  private started?: Promise<void>;
  private stopped?: Promise<void>;

  constructor(
    @Inject(SLUICE_CONFIG) config: SluiceConfig,
    @Inject(SLUICE_RUNTIME) private readonly runtime: SluiceRuntime,
    @Inject(SLUICE_LOGGER) logger: Logger,
    @Inject(RUNTIME_METRICS) runtimeMetrics: RuntimeMetrics,
    private readonly registry: SchedulerRegistry,
    private readonly queries: QueryRegistry,
  ) {
    this.logger = logger.child({ component: 'jobs' });
    this.leadership = runtime.leadership;
    const metrics = new JobMetrics(runtimeMetrics.registry);
    this.runners = new Map(config.jobs.map((job) => [job.name, new JobRunner(job, this.taskOf(job), { metrics, logger: this.logger })]));
  }

  private taskOf(job: JobConfig): JobTask {
    const { task } = job;
    if (task.kind === 'trigger') return new TriggerTask(task.pipeline, this.runtime);
    if (task.kind === 'query') return new QueryTask(job.name, task.query, task.to, this.queries, this.logger);
    return new ActionTask(task, this.runtime);
  }

  async onApplicationBootstrap(): Promise<void> {
    // Nest may call bootstrap hooks twice (the app and its connected microservice share the modules).
    this.started ??= this.start();
    await this.started;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped ??= this.stop();
    await this.stopped;
  }

  /** Whether this host runs the scheduled ticks, and how that is decided. */
  leadershipDetails(): Record<string, unknown> {
    return { leader: this.leadership.isLeader, ...this.leadership.details };
  }

  /** Every job with its state, in config order. */
  list(): JobState[] {
    return [...this.runners.values()].map((runner) => runner.state());
  }

  /** The state of the job called `name`, or 404 naming the closest one. */
  state(name: string): JobState {
    return this.require(name).state();
  }

  /** Runs a job now; throws JobBusyError while it runs, JobsStoppedError once the jobs stopped. */
  async runNow(name: string): Promise<JobRunRecord> {
    const runner = this.require(name);
    if (this.stopped) throw new JobsStoppedError(`job "${name}" cannot run: the jobs are stopping with the host`);
    return runner.runNow();
  }

  private require(name: string): JobRunner {
    const runner = this.runners.get(name);
    if (runner) return runner;
    const names = [...this.runners.keys()];
    const suggestion = didYouMean(name, names);
    throw new NotFoundException(`no job named "${name}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; ${names.length > 0 ? `jobs: ${names.join(', ')}` : 'no jobs are configured'}`);
  }

  private async start(): Promise<void> {
    if (this.runners.size === 0) return;
    // Query jobs read the datasets the query module checks at bootstrap (idempotent: it runs once).
    await this.queries.onApplicationBootstrap();
    await this.check();
    this.leadership.onChange((leader) =>
      this.logger.info({ leadership: this.leadership.details }, leader ? 'this host now runs the scheduled jobs' : 'another host runs the scheduled jobs now'),
    );
    // Ticks before the first decision are skipped (not the leader yet); the runtime keeps retrying to join.
    void this.runtime.leadershipJoined().catch(() => undefined);
    for (const runner of this.runners.values()) {
      try {
        this.schedule(runner);
      } catch (error) {
        // A timer left registered would keep firing (and the process alive) after the failed startup.
        this.unschedule();
        await this.failStartup([`${runner.job.path} (job "${runner.name}"): ${describeError(error)}`]);
      }
    }
    this.logger.info({ jobs: this.list().map((j) => ({ name: j.name, schedule: j.schedule, task: j.task, nextRunAt: j.nextRunAt })) }, `${this.runners.size} scheduled job(s) started`);
    for (const runner of this.runners.values()) if (runner.job.runOnStart) this.fire(runner, 'start');
  }

  /** Checks every job against the running pipelines; any problem stops the pipelines and fails the startup. */
  private async check(): Promise<void> {
    const problems: string[] = [];
    for (const runner of this.runners.values()) {
      try {
        await runner.task.check();
      } catch (error) {
        problems.push(`${runner.job.path} (job "${runner.name}"): ${describeError(error)}`);
      }
    }
    if (problems.length > 0) await this.failStartup(problems);
  }

  /** Logs the problems, stops the pipelines (already started) and throws. */
  private async failStartup(problems: readonly string[]): Promise<never> {
    const message = `the scheduled jobs cannot start (${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}):\n${problems.map((p) => `  ${p}`).join('\n')}`;
    this.logger.error(message);
    // The pipelines already started: stop them so that the failed startup leaves nothing running.
    await this.runtime.stop().catch((error: unknown) => this.logger.error({ err: describeError(error) }, 'stopping the pipelines failed'));
    throw new Error(message);
  }

  private schedule(runner: JobRunner): void {
    const key = schedulerKey(runner.name);
    const { schedule } = runner.job;
    if (schedule.kind === 'cron') {
      const job = CronJob.from({ cronTime: schedule.expression, onTick: () => this.fire(runner, 'schedule'), start: false, ...(schedule.timeZone ? { timeZone: schedule.timeZone } : {}) });
      this.registry.addCronJob(key, job);
      job.start();
      runner.nextRunAt = () => (job.isActive ? job.nextDate().toMillis() : null);
      return;
    }
    let last = Date.now();
    const interval = setInterval(() => {
      last = Date.now();
      this.fire(runner, 'schedule');
    }, schedule.intervalMs);
    this.registry.addInterval(key, interval);
    runner.nextRunAt = () => (this.registry.doesExist('interval', key) ? last + schedule.intervalMs : null);
  }

  /** Starts a run in the background (its outcome is recorded and logged by the runner). */
  private fire(runner: JobRunner, reason: 'schedule' | 'start'): void {
    if (!this.leadership.isLeader) {
      this.logger.debug({ job: runner.name, reason }, 'not the leader: another host runs this tick');
      return;
    }
    runner.tick(reason).catch((error: unknown) => this.logger.error({ job: runner.name, err: describeError(error) }, `job ${runner.name}: the run could not be recorded`));
  }

  /** Removes the jobs' cron jobs and intervals from the registry: no new ticks. */
  private unschedule(): void {
    for (const name of this.runners.keys()) {
      const key = schedulerKey(name);
      if (this.registry.doesExist('cron', key)) this.registry.deleteCronJob(key);
      if (this.registry.doesExist('interval', key)) this.registry.deleteInterval(key);
    }
  }

  /** No new ticks, then every run under way aborted and awaited. */
  private async stop(): Promise<void> {
    if (this.runners.size === 0) return;
    this.unschedule();
    await Promise.all([...this.runners.values()].map((runner) => runner.stop()));
    this.logger.info('scheduled jobs stopped');
  }
}
