import type { ConfigIssue } from '@sluice/sdk';
import type { HttpSourceConfig } from './http-source.config.js';
import { pathProblem } from './json-path.js';
import { cronProblem } from './poll-schedule.js';
import { PollScope, RequestPlan } from './request-plan.js';
import { compileJsonTemplate, JsonTemplateError, TemplateError, TextTemplate } from './request-template.js';

/** RFC 9110 token characters: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Compiles one text template, reporting a grammar error at `path`. */
function checkTemplate(source: string, path: string, issues: ConfigIssue[]): boolean {
  try {
    TextTemplate.compile(source);
    return true;
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    issues.push({ path, message: error.message });
    return false;
  }
}

function checkSchedule(config: HttpSourceConfig, issues: ConfigIssue[]): void {
  const chosen = (['intervalMs', 'cron', 'randomIntervalMs'] as const).filter((name) => config[name] !== undefined);
  if (chosen.length === 0 && config.trigger === undefined) {
    issues.push({
      path: 'intervalMs',
      message: 'no schedule: set one of intervalMs (e.g. 5000), cron (e.g. "*/30 * * * * *") or randomIntervalMs (e.g. { min: 3000, max: 8000 }), or trigger (e.g. { polls: 1 }) to poll when a job triggers the source',
    });
  } else if (chosen.length > 1) {
    issues.push({ path: chosen[1], message: `only one schedule may be set, found ${chosen.join(' and ')}` });
  }
  const random = config.randomIntervalMs;
  if (random && random.max < random.min) issues.push({ path: 'randomIntervalMs.max', message: `must be ≥ min (${random.min})` });
  if (config.cron !== undefined) {
    const problem = cronProblem(config.cron, config.timeZone);
    if (problem) issues.push({ path: problem.startsWith(`"${config.cron}"`) ? 'cron' : 'timeZone', message: problem });
  } else if (config.timeZone !== undefined) {
    issues.push({ path: 'timeZone', message: 'only applies to a cron schedule' });
  }
  const spacing = config.trigger?.randomSpacingMs;
  if (spacing && spacing.max < spacing.min) issues.push({ path: 'trigger.randomSpacingMs.max', message: `must be ≥ min (${spacing.min})` });
  if (spacing && config.trigger?.spacingMs !== 0) issues.push({ path: 'trigger.randomSpacingMs', message: 'set only one of spacingMs and randomSpacingMs' });
}

function checkBody(config: HttpSourceConfig, issues: ConfigIssue[]): boolean {
  const body = config.body;
  if (body === undefined) return true;
  if (config.method !== 'POST') {
    issues.push({ path: 'body', message: `a ${config.method} request has no body (set method: POST)` });
    return false;
  }
  if (typeof body === 'string') return checkTemplate(body, 'body', issues);
  if (typeof body !== 'object' || body === null) {
    issues.push({ path: 'body', message: 'must be a JSON object or array (sent as JSON) or a string (sent as it is)' });
    return false;
  }
  try {
    compileJsonTemplate(body);
    return true;
  } catch (error) {
    if (!(error instanceof JsonTemplateError)) throw error;
    issues.push({ path: error.path ? `body.${error.path}` : 'body', message: error.message });
    return false;
  }
}

function checkHeaders(config: HttpSourceConfig, issues: ConfigIssue[]): boolean {
  let ok = true;
  for (const [name, value] of Object.entries(config.headers)) {
    const path = `headers.${name}`;
    if (!HEADER_NAME.test(name)) {
      issues.push({ path, message: `"${name}" is not a valid header name (letters, digits and !#$%&'*+.^_\`|~-)` });
      ok = false;
    }
    if (typeof value !== 'string') {
      issues.push({ path, message: 'must be a string' });
      ok = false;
      continue;
    }
    // Values are secrets: the messages never quote them.
    if (/[\r\n\0]/.test(value)) {
      issues.push({ path, message: 'must not hold a line break or NUL' });
      ok = false;
    }
    ok = checkTemplate(value, path, issues) && ok;
  }
  if (config.bearerToken !== undefined) {
    ok = checkTemplate(config.bearerToken, 'bearerToken', issues) && ok;
    if (/[\r\n\0]/.test(config.bearerToken)) {
      issues.push({ path: 'bearerToken', message: 'must not hold a line break or NUL' });
      ok = false;
    }
    const authorization = Object.keys(config.headers).find((name) => name.toLowerCase() === 'authorization');
    if (authorization !== undefined) issues.push({ path: 'bearerToken', message: `conflicts with headers.${authorization}: set only one of them` });
  }
  return ok;
}

/** The url rendered with sample values must be an absolute http(s) URL. */
function checkUrl(plan: RequestPlan, issues: ConfigIssue[]): void {
  const sample = new PollScope(Date.UTC(2025, 0, 1), 1, { float: () => 0, int: (min) => min }, new Proxy({}, { get: () => 'sample' }));
  let url: URL | undefined;
  try {
    url = new URL(plan.build(sample).url);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    issues.push({ path: 'url', message: 'must be an absolute http or https URL, e.g. https://pokeapi.co/api/v2/pokemon/{{randomInt 1 1025}}' });
  }
}

/** Checks across fields that decorators cannot express: the schedule, the templates, the paths. */
export function validateHttpSourceConfig(config: HttpSourceConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  checkSchedule(config, issues);
  const urlOk = checkTemplate(config.url, 'url', issues);
  const bodyOk = checkBody(config, issues);
  const headersOk = checkHeaders(config, issues);
  for (const name of ['recordsPath', 'keyPath', 'nextPath'] as const) {
    const path = config[name];
    const problem = path === undefined ? undefined : pathProblem(path);
    if (problem) issues.push({ path: name, message: problem });
  }
  if (config.conditionalRequests && config.method !== 'GET') issues.push({ path: 'conditionalRequests', message: 'only applies to GET requests' });
  if (config.retry.maxBackoffMs < config.retry.initialBackoffMs) issues.push({ path: 'retry.maxBackoffMs', message: `must be ≥ retry.initialBackoffMs (${config.retry.initialBackoffMs})` });
  if (urlOk && bodyOk && headersOk) {
    const plan = new RequestPlan(config);
    if (plan.uses('cursor') && config.nextPath === undefined) {
      issues.push({ path: 'nextPath', message: 'is required when the request uses {{cursor}}: it names where the next cursor is in the response body' });
    }
    checkUrl(plan, issues);
  }
  return issues;
}
