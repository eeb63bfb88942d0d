import { describe, expect, it } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import { pino } from 'pino';
import { RuntimeMetrics, type JobConfig, type SluiceConfig, type SluiceRuntime } from '#runtime';
import type { QueryRegistry } from '#query';
import { SoleLeadership, type Leadership } from '#transports';
import { JobScheduler } from './job-scheduler.js';

// The scheduler outside a host: what it leaves registered when it cannot schedule a job.

/** A runtime with one running pipeline `p` whose source can be triggered; counts its stops. */
function fakeRuntime(leadership: Leadership = new SoleLeadership()) {
  const source = { trigger: async () => ({ records: 0 }) };
  const pipeline = {
    name: 'p',
    config: { source: { name: 'source', plugin: 'http' }, transforms: [], sink: { name: 'sink', plugin: 'file' }, deadLetter: { name: 'deadLetter', plugin: 'file' } },
    stageNames: () => ['source', 'sink', 'deadLetter'],
    stageInstance: (stage: string) => (stage === 'source' ? source : {}),
  };
  const stops: number[] = [];
  const runtime = {
    pipelines: [pipeline],
    pipeline: (name: string) => (name === 'p' ? pipeline : undefined),
    stop: async () => void stops.push(1),
    leadership,
    leadershipJoined: () => leadership.start(),
  };
  return { runtime: runtime as unknown as SluiceRuntime, stops };
}

const job = (name: string, schedule: JobConfig['schedule'], index: number): JobConfig => ({
  name,
  schedule,
  runOnStart: false,
  timeoutMs: 60_000,
  task: { kind: 'trigger', pipeline: 'p' },
  path: `jobs[${index}]`,
});

/** A leadership the test hands over by hand. */
class SwitchedLeadership implements Leadership {
  isLeader = false;
  readonly details = { kind: 'test' };
  private readonly listeners: Array<(leader: boolean) => void> = [];
  started = 0;
  stopped = 0;

  async start(): Promise<void> {
    this.started++;
  }

  async stop(): Promise<void> {
    this.stopped++;
  }

  onChange(listener: (leader: boolean) => void): void {
    this.listeners.push(listener);
  }

  set(leader: boolean): void {
    this.isLeader = leader;
    for (const listener of this.listeners) listener(leader);
  }
}

describe('JobScheduler', () => {
  it('runs scheduled ticks only while this host leads; a run asked for by hand runs anyway', async () => {
    const leadership = new SwitchedLeadership();
    const { runtime } = fakeRuntime(leadership);
    const registry = new SchedulerRegistry();
    const queries = { onApplicationBootstrap: async () => undefined } as unknown as QueryRegistry;
    const jobs = [{ ...job('often', { kind: 'interval', intervalMs: 20 }, 0), runOnStart: true }];
    const scheduler = new JobScheduler({ jobs } as unknown as SluiceConfig, runtime, pino({ level: 'silent' }), new RuntimeMetrics({ defaultMetrics: false }), registry, queries);
    // Runs of any outcome (the fake pipeline is not a real one).
    const runs = () => Object.values(scheduler.state('often').counts).reduce((sum, n) => sum + n, 0);
    try {
      await scheduler.onApplicationBootstrap();
      expect(leadership.started).toBe(1);
      await new Promise((r) => setTimeout(r, 200));
      expect(runs()).toBe(0);
      await scheduler.runNow('often');
      expect(runs()).toBe(1);
      leadership.set(true);
      await new Promise((r) => setTimeout(r, 200));
      expect(runs()).toBeGreaterThan(3);
      leadership.set(false);
      await new Promise((r) => setTimeout(r, 50));
      const asFollower = runs();
      await new Promise((r) => setTimeout(r, 200));
      expect(runs()).toBe(asFollower);
      expect(scheduler.leadershipDetails()).toEqual({ leader: false, kind: 'test' });
    } finally {
      await scheduler.beforeApplicationShutdown();
    }
    // The lead is the runtime's: it leaves it once the pipelines drained, not the scheduler.
    expect(leadership.stopped).toBe(0);
  });

  it('leaves no timer registered and stops the pipelines when a job cannot be scheduled', async () => {
    const { runtime, stops } = fakeRuntime();
    // Config validation refuses a cron expression that never fires; the scheduler must not rely on it.
    const jobs = [job('every-minute', { kind: 'interval', intervalMs: 60_000 }, 0), job('feb-30', { kind: 'cron', expression: '0 0 30 2 *', timeZone: 'UTC' }, 1)];
    const registry = new SchedulerRegistry();
    const queries = { onApplicationBootstrap: async () => undefined } as unknown as QueryRegistry;
    const scheduler = new JobScheduler({ jobs } as unknown as SluiceConfig, runtime, pino({ level: 'silent' }), new RuntimeMetrics({ defaultMetrics: false }), registry, queries);
    try {
      await expect(scheduler.onApplicationBootstrap()).rejects.toThrow(/^the scheduled jobs cannot start \(1 problem\):\n {2}jobs\[1\] \(job "feb-30"\): .*No execution date was found/);
      expect(registry.getIntervals()).toEqual([]);
      expect([...registry.getCronJobs().keys()]).toEqual([]);
      expect(stops).toHaveLength(1);
      expect(scheduler.state('every-minute').nextRunAt).toBeNull();
    } finally {
      await scheduler.beforeApplicationShutdown();
      for (const name of registry.getIntervals()) registry.deleteInterval(name);
      for (const name of registry.getCronJobs().keys()) registry.deleteCronJob(name);
    }
  });
});
