import { resolve } from 'node:path';
import { loadConfig, type JobConfig, type SluiceConfig } from '#runtime';
import { reportConfigError } from './report-config-error.js';

/**
 * One line per pipeline: its stages' plugins in order, e.g. `  orders: generator -> map -> sql
 * (dead letters: file)`; a pipeline with routes lists them, each with its condition and stages.
 */
export function pipelineSummary(config: SluiceConfig): string {
  return config.pipelines
    .map((p) => {
      const chain = [p.source, ...p.transforms].map((s) => s.plugin).join(' -> ');
      const sinks = p.routes
        ? `routes [${p.routes.map((r) => `${r.name}${r.when ? ` when ${r.when}` : ''}: ${[...r.transforms, r.sink].map((s) => s.plugin).join(' -> ')}`).join('; ')}]`
        : p.sink.plugin;
      return `  ${p.name}: ${chain} -> ${sinks} (dead letters: ${p.deadLetter.plugin})`;
    })
    .join('\n');
}

/** One line per job: name, schedule and task, e.g. `  fetch-users: every 3600000 ms -> trigger users-ingest`. */
export function jobSummary(jobs: readonly JobConfig[]): string {
  return jobs
    .map((job) => {
      const when = job.schedule.kind === 'cron' ? `cron "${job.schedule.expression}"${job.schedule.timeZone ? ` (${job.schedule.timeZone})` : ''}` : `every ${job.schedule.intervalMs} ms`;
      const { task } = job;
      const what =
        task.kind === 'trigger' ? `trigger ${task.pipeline}` : task.kind === 'query' ? `query ${task.query}` : `action ${task.action} of ${task.pipeline} ${task.stage}`;
      return `  ${job.name}: ${when}${job.runOnStart ? ' and at start' : ''} -> ${what}`;
    })
    .join('\n');
}

/** `sluice validate <config>`: exit 0 when the whole file is valid, 2 with every problem otherwise. */
export async function validateCommand(configPath: string): Promise<number> {
  const file = resolve(configPath);
  try {
    const config = await loadConfig(file);
    const jobs = config.jobs.length > 0 ? `${config.jobs.length} job(s):\n${jobSummary(config.jobs)}\n` : '';
    process.stdout.write(`${configPath}: OK, ${config.pipelines.length} pipeline(s) on the ${config.transport.kind} transport\n${pipelineSummary(config)}\n${jobs}`);
    return 0;
  } catch (error) {
    return reportConfigError(error);
  }
}
