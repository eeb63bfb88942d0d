import { didYouMean, type JsonValue } from '@sluice/sdk';
import { CronTime } from 'cron';
import { resolve } from 'node:path';
import type { ConfigFileIssue, PathSegment } from './config-issues.js';
import type { JobSection } from './jobs-schema.js';
import type { JobConfig, JobSchedule, JobTask } from './sluice-config.js';
import type { YamlSource } from './yaml-source.js';

// The `jobs:` section: checks across fields that the schema classes cannot express (exactly one
// schedule and one kind, a valid cron expression and time zone, names of pipelines and queries
// that exist, where a query's result goes), and the resolved, typed view the host schedules.
// Whether a source can be triggered, and whether a stage and its action exist, is only known once
// the pipelines run: the host checks that when it starts the jobs.

type RawMap = Record<string, unknown>;

const isMapping = (value: unknown): value is RawMap => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A field left out, or left empty (`cron:` is YAML null): not set. */
const unset = (value: unknown): value is undefined | null => value === undefined || value === null;

const SCHEDULES = ['cron', 'intervalMs'] as const;
const KINDS = ['trigger', 'query', 'action'] as const;

/** RFC 9110 token characters: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function namesOf(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.filter(isMapping).flatMap((item) => (typeof item.name === 'string' ? [item.name] : []));
}

/** `unknown pipeline "x" (did you mean "y"?)`, never quoting a value that came from the environment. */
function unknownName(source: YamlSource, path: readonly PathSegment[], what: string, name: string, known: readonly string[], plural: string): string {
  const quoted = source.isInterpolated(path) ? '(its name comes from an environment variable)' : `"${name}"`;
  const suggestion = didYouMean(name, known);
  if (suggestion) return `unknown ${what} ${quoted} (did you mean "${suggestion}"?)`;
  return `unknown ${what} ${quoted} (${known.length > 0 ? `${plural}: ${known.join(', ')}` : `no ${what} is configured`})`;
}

/** Why `expression` (in `timeZone`) is not a cron schedule the host can run, with the field at fault. */
export function cronProblem(expression: string, timeZone?: string): { field: 'cron' | 'timeZone'; message: string } | undefined {
  const check = CronTime.validateCronExpression(expression);
  if (!check.valid) {
    return {
      field: 'cron',
      message: `"${expression}" is not a valid cron expression: ${check.error?.message ?? 'unparsable'} (five fields "min hour day month weekday", or six with seconds first)`,
    };
  }
  let time: CronTime;
  try {
    time = timeZone === undefined ? new CronTime(expression) : new CronTime(expression, timeZone);
  } catch (error) {
    return {
      field: 'timeZone',
      message: `"${timeZone}" is not a time zone the cron schedule knows (${error instanceof Error ? error.message : String(error)}); use an IANA name such as Europe/Paris or UTC`,
    };
  }
  // A valid expression may match no date at all ("0 0 30 2 *"): the CronJob would throw when it starts.
  try {
    time.sendAt();
    return undefined;
  } catch {
    return { field: 'cron', message: `"${expression}" never fires: no date matches it (e.g. day 31 of a 30-day month, or February 30)` };
  }
}

function checkSchedule(source: YamlSource, index: number, job: RawMap, issues: ConfigFileIssue[]): void {
  const path = ['jobs', index];
  const chosen = SCHEDULES.filter((key) => job[key] !== undefined && job[key] !== null);
  if (chosen.length === 0) issues.push(source.issue(path, 'no schedule: set one of cron (e.g. "0 2 * * *") or intervalMs (e.g. 60000)'));
  else if (chosen.length > 1) issues.push(source.issue([...path, chosen[1]!], `only one schedule may be set, found ${chosen.join(' and ')}`));
  const timeZone = typeof job.timeZone === 'string' && job.timeZone.trim() !== '' ? job.timeZone : undefined;
  if (typeof job.cron === 'string' && job.cron.trim() !== '') {
    const problem = cronProblem(job.cron, timeZone);
    if (problem) issues.push(source.issue([...path, problem.field], problem.message));
  } else if (!unset(job.timeZone) && unset(job.cron)) {
    issues.push(source.issue([...path, 'timeZone'], 'only applies to a cron schedule'));
  }
}

function checkPipeline(source: YamlSource, path: PathSegment[], name: unknown, pipelines: readonly string[], issues: ConfigFileIssue[]): void {
  if (typeof name !== 'string' || name.trim() === '' || pipelines.includes(name)) return;
  issues.push(source.issue(path, unknownName(source, path, 'pipeline', name, pipelines, 'pipelines')));
}

function checkUrl(source: YamlSource, path: PathSegment[], url: unknown, issues: ConfigFileIssue[]): void {
  if (typeof url !== 'string' || url.trim() === '') return;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  // The URL may hold a token: the message does not quote it.
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) issues.push(source.issue(path, 'must be an absolute http or https URL, e.g. https://hooks.example.com/sluice'));
  // fetch refuses such a URL, with an error quoting it whole (password and query string included).
  else if (parsed.username !== '' || parsed.password !== '') issues.push(source.issue(path, 'must not hold a user name or password (user:password@); send credentials in headers, e.g. Authorization'));
}

function checkQueryOutput(source: YamlSource, path: PathSegment[], to: RawMap, issues: ConfigFileIssue[]): void {
  const hasUrl = typeof to.url === 'string';
  if (unset(to.file) && unset(to.url) && to.log !== true) {
    issues.push(source.issue(path, 'the result goes nowhere: set at least one of file, url or log: true'));
  }
  if (hasUrl) checkUrl(source, [...path, 'url'], to.url, issues);
  if (isMapping(to.headers)) {
    if (!hasUrl) issues.push(source.issue([...path, 'headers'], 'only applies with url (the headers of the POST)'));
    for (const [name, value] of Object.entries(to.headers)) {
      if (!HEADER_NAME.test(name)) issues.push(source.issue([...path, 'headers', name], `"${name}" is not a valid header name (letters, digits and !#$%&'*+.^_\`|~-)`));
      // Header values are secrets: the message never quotes them.
      else if (typeof value === 'string' && /[\r\n\0]/.test(value)) issues.push(source.issue([...path, 'headers', name], 'must not hold a line break or NUL'));
    }
  }
  if (typeof to.file === 'string' && /[/\\]$/.test(to.file)) issues.push(source.issue([...path, 'file'], 'must name a file, not a folder'));
}

function checkTask(source: YamlSource, index: number, job: RawMap, pipelines: readonly string[], queries: readonly string[], issues: ConfigFileIssue[]): void {
  const path: PathSegment[] = ['jobs', index];
  const chosen = KINDS.filter((key) => job[key] !== undefined && job[key] !== null);
  if (chosen.length === 0) {
    issues.push(source.issue(path, 'nothing to do: set one of trigger (start a source), query (run a named query) or action (run a plugin action)'));
    return;
  }
  if (chosen.length > 1) issues.push(source.issue([...path, chosen[1]!], `only one of trigger, query and action may be set, found ${chosen.join(' and ')}`));
  const { trigger, query, action } = job;
  if (isMapping(trigger)) checkPipeline(source, [...path, 'trigger', 'pipeline'], trigger.pipeline, pipelines, issues);
  if (isMapping(action)) checkPipeline(source, [...path, 'action', 'pipeline'], action.pipeline, pipelines, issues);
  if (isMapping(query)) {
    const namePath = [...path, 'query', 'name'];
    if (typeof query.name === 'string' && query.name.trim() !== '' && !queries.includes(query.name)) {
      issues.push(source.issue(namePath, unknownName(source, namePath, 'query', query.name, queries, 'queries')));
    }
    if (isMapping(query.to)) checkQueryOutput(source, [...path, 'query', 'to'], query.to, issues);
  }
}

/**
 * Checks of `jobs:` across fields: unique names, exactly one schedule (a valid cron expression and
 * time zone) and one kind, pipelines and queries that exist (with a suggestion), and a query
 * result that goes somewhere.
 */
export function checkJobs(source: YamlSource, raw: RawMap, issues: ConfigFileIssue[]): void {
  if (!Array.isArray(raw.jobs)) return;
  const pipelines = namesOf(raw.pipelines);
  const queries = namesOf(raw.queries);
  const seen = new Map<string, number>();
  raw.jobs.forEach((job, index) => {
    if (!isMapping(job)) return;
    if (typeof job.name === 'string') {
      const first = seen.get(job.name);
      if (first === undefined) seen.set(job.name, index);
      else issues.push(source.issue(['jobs', index, 'name'], `duplicate job name "${job.name}" (jobs[${first}] has it too)`));
    }
    checkSchedule(source, index, job, issues);
    checkTask(source, index, job, pipelines, queries, issues);
  });
}

function scheduleOf(job: JobSection): JobSchedule {
  if (!unset(job.cron)) return { kind: 'cron', expression: job.cron, ...(unset(job.timeZone) ? {} : { timeZone: job.timeZone }) };
  return { kind: 'interval', intervalMs: job.intervalMs! };
}

function taskOf(job: JobSection, configDir: string): JobTask {
  if (job.trigger) return { kind: 'trigger', pipeline: job.trigger.pipeline };
  if (job.query) {
    const { to } = job.query;
    return {
      kind: 'query',
      query: job.query.name,
      to: {
        ...(unset(to.file) ? {} : { file: resolve(configDir, to.file) }),
        ...(unset(to.url) ? {} : { url: to.url }),
        headers: { ...(to.headers ?? {}) },
        log: to.log,
      },
    };
  }
  const action = job.action!;
  return { kind: 'action', pipeline: action.pipeline, stage: action.stage, action: action.name, args: { ...((action.args ?? {}) as Record<string, JsonValue>) } };
}

/** The typed view of a validated `jobs:` list; relative file paths resolve against `configDir`. */
export function resolveJobs(jobs: readonly JobSection[], configDir: string): JobConfig[] {
  return jobs.map((job, index) => ({
    name: job.name,
    ...(job.description ? { description: job.description } : {}),
    schedule: scheduleOf(job),
    runOnStart: job.runOnStart,
    timeoutMs: job.timeoutMs,
    task: taskOf(job, configDir),
    path: `jobs[${index}]`,
  }));
}
