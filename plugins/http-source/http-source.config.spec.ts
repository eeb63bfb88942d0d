import { describe, expect, it } from '@jest/globals';
import { describeConfig, secretFieldNames, validateConfig, type ConfigIssue } from '@sluice/sdk';
import http from './index.js';
import { HttpSourceConfig } from './http-source.config.js';

/** All issues the host would report for a raw config (decorators, then the plugin's own checks). */
function issuesOf(raw: unknown): ConfigIssue[] {
  const { config, issues } = validateConfig(HttpSourceConfig, raw);
  return issues.length > 0 ? issues : (http.validate?.(config, { configDir: process.cwd() }) ?? []);
}

const pathsOf = (raw: unknown) => issuesOf(raw).map((issue) => issue.path);
const URL = 'https://pokeapi.co/api/v2/pokemon/{{randomInt 1 1025}}';

describe('http source config', () => {
  it('needs a url and a schedule, and documents its defaults', () => {
    const { config, issues } = validateConfig(HttpSourceConfig, { url: URL, intervalMs: 5000 });
    expect(issues).toEqual([]);
    expect(config).toMatchObject({ method: 'GET', headers: {}, timeoutMs: 10_000, pollOnStart: true, recordsPath: '', followLinkHeader: false, firstPage: 1, maxPages: 10, conditionalRequests: false });
    expect(config.retry).toMatchObject({ maxAttempts: 4, initialBackoffMs: 500, maxBackoffMs: 30_000, maxRetryAfterMs: 60_000 });
    expect(issuesOf({ url: URL, intervalMs: 5000 })).toEqual([]);
    const docs = describeConfig(HttpSourceConfig);
    expect(docs.find((d) => d.name === 'url')?.required).toBe(true);
    for (const doc of docs) expect(doc.description.length).toBeGreaterThan(30);
    expect(docs.find((d) => d.name === 'retry')?.fields?.map((f) => f.name)).toEqual(['maxAttempts', 'initialBackoffMs', 'maxBackoffMs', 'maxRetryAfterMs']);
    expect(docs.find((d) => d.name === 'randomIntervalMs')?.fields?.map((f) => f.name)).toEqual(['min', 'max']);
  });

  it('marks headers and the bearer token as secrets', () => {
    expect(secretFieldNames(HttpSourceConfig).sort()).toEqual(['bearerToken', 'headers']);
  });

  it('accepts the documented examples', () => {
    for (const example of http.examples ?? []) expect(issuesOf(example.config)).toEqual([]);
  });

  it.each([
    [{ intervalMs: 5000 }, 'url'],
    [{ url: URL }, 'intervalMs'],
    [{ url: URL, intervalMs: 5000, cron: '* * * * *' }, 'cron'],
    [{ url: URL, cron: '* * * * *', randomIntervalMs: { min: 1, max: 2 } }, 'randomIntervalMs'],
    [{ url: URL, intervalMs: 0 }, 'intervalMs'],
    [{ url: URL, randomIntervalMs: { min: 8000, max: 3000 } }, 'randomIntervalMs.max'],
    [{ url: URL, randomIntervalMs: { min: 1 } }, 'randomIntervalMs.max'],
    [{ url: URL, randomIntervalMs: { min: 1, max: 2, avg: 1 } }, 'randomIntervalMs.avg'],
    [{ url: URL, cron: '61 * * * *' }, 'cron'],
    [{ url: URL, cron: '0 2 * * *', timeZone: 'Mars/Olympus' }, 'timeZone'],
    [{ url: URL, cron: '0 0 30 2 *' }, 'cron'],
    [{ url: URL, cron: '0 0 31 4 *', timeZone: 'Europe/Paris' }, 'cron'],
    [{ url: URL, intervalMs: 10, timeZone: 'UTC' }, 'timeZone'],
    [{ url: URL, intervalMs: 10, method: 'DELETE' }, 'method'],
    [{ url: URL, intervalMs: 10, body: { a: 1 } }, 'body'],
    [{ url: URL, intervalMs: 10, method: 'POST', body: 42 }, 'body'],
    [{ url: URL, intervalMs: 10, method: 'POST', body: { q: { id: '{{randomint 1 2}}' } } }, 'body.q.id'],
    [{ url: URL, intervalMs: 10, headers: { 'Bad Name': 'x' } }, 'headers.Bad Name'],
    [{ url: URL, intervalMs: 10, headers: { 'X-N': 3 } }, 'headers.X-N'],
    [{ url: URL, intervalMs: 10, headers: { 'X-K': '{{env}}' } }, 'headers.X-K'],
    [{ url: URL, intervalMs: 10, headers: { Authorization: 'x' }, bearerToken: 't' }, 'bearerToken'],
    [{ url: URL, intervalMs: 10, bearerToken: '{{env 1A}}' }, 'bearerToken'],
    [{ url: 'https://x.test/{{randint 1 5}}', intervalMs: 10 }, 'url'],
    [{ url: 'ftp://x.test/file', intervalMs: 10 }, 'url'],
    [{ url: '/api/items', intervalMs: 10 }, 'url'],
    [{ url: 'https://x.test/?c={{cursor}}', intervalMs: 10 }, 'nextPath'],
    [{ url: URL, intervalMs: 10, recordsPath: 'a..b' }, 'recordsPath'],
    [{ url: URL, intervalMs: 10, keyPath: '' }, 'keyPath'],
    [{ url: URL, intervalMs: 10, nextPath: 'links.' }, 'nextPath'],
    [{ url: URL, intervalMs: 10, method: 'POST', conditionalRequests: true }, 'conditionalRequests'],
    [{ url: URL, intervalMs: 10, retry: { maxAttempts: 0 } }, 'retry.maxAttempts'],
    [{ url: URL, intervalMs: 10, retry: { initialBackoffMs: 5000, maxBackoffMs: 100 } }, 'retry.maxBackoffMs'],
    [{ url: URL, intervalMs: 10, timeoutMs: 0 }, 'timeoutMs'],
    [{ url: URL, intervalMs: 10, seed: -1 }, 'seed'],
    [{ url: URL, intervalMs: 10, maxPages: 0 }, 'maxPages'],
    [{ url: URL, intervalMs: 10, redactQueryParams: [''] }, 'redactQueryParams'],
    [{ url: URL, intervalMs: 10, interval: 5 }, 'interval'],
    [{ url: URL, trigger: { polls: 0 } }, 'trigger.polls'],
    [{ url: URL, trigger: { spacingMs: -1 } }, 'trigger.spacingMs'],
    [{ url: URL, trigger: { randomSpacingMs: { min: 9, max: 1 } } }, 'trigger.randomSpacingMs.max'],
    [{ url: URL, trigger: { spacingMs: 5, randomSpacingMs: { min: 1, max: 9 } } }, 'trigger.randomSpacingMs'],
    [{ url: URL, trigger: { poll: 2 } }, 'trigger.poll'],
    [{ url: URL, trigger: 3 }, 'trigger'],
  ])('rejects %j at path %s', (raw, path) => {
    expect(pathsOf(raw)).toContain(path);
  });

  it('accepts a trigger alone or besides a schedule, and names it when neither is set', () => {
    expect(issuesOf({ url: URL, trigger: {} })).toEqual([]);
    expect(issuesOf({ url: URL, trigger: { polls: 3, randomSpacingMs: { min: 100, max: 200 } }, cron: '0 2 * * *' })).toEqual([]);
    const { config } = validateConfig(HttpSourceConfig, { url: URL, trigger: {} });
    expect(config.trigger).toMatchObject({ polls: 1, spacingMs: 0 });
    expect(issuesOf({ url: URL })).toEqual([
      {
        path: 'intervalMs',
        message:
          'no schedule: set one of intervalMs (e.g. 5000), cron (e.g. "*/30 * * * * *") or randomIntervalMs (e.g. { min: 3000, max: 8000 }), or trigger (e.g. { polls: 1 }) to poll when a job triggers the source',
      },
    ]);
    const docs = describeConfig(HttpSourceConfig);
    expect(docs.find((d) => d.name === 'trigger')?.fields?.map((f) => f.name)).toEqual(['polls', 'spacingMs', 'randomSpacingMs']);
  });

  it('explains a misspelt placeholder and suggests close field names', () => {
    expect(issuesOf({ url: 'https://x.test/{{randint 1 5}}', intervalMs: 10 })).toEqual([
      { path: 'url', message: 'unknown placeholder "randint" at column 16 (did you mean "randomInt"?); placeholders: randomInt, now, env, page, cursor' },
    ]);
    expect(issuesOf({ url: URL, intervalMs: 10, recordPath: 'results' })).toContainEqual({ path: 'recordPath', message: 'unknown field (did you mean "recordsPath"?)' });
  });

  it('never quotes header values (secrets) in its messages', () => {
    const messages = issuesOf({ url: URL, intervalMs: 10, headers: { 'X-Key': 'sk_live_123\nX-Evil: 1' } }).map((i) => i.message).join(' ');
    expect(messages).toContain('line break');
    expect(messages).not.toContain('sk_live_123');
  });

  it('accepts a POST with a templated JSON body, cursor pagination and a string body', () => {
    expect(issuesOf({ url: 'https://x.test/search', method: 'POST', body: { id: '{{randomInt 1 9}}', after: '{{cursor}}' }, nextPath: 'meta.next', cron: '*/10 * * * * *' })).toEqual([]);
    expect(issuesOf({ url: 'https://x.test/search', method: 'POST', body: 'q=pikachu&page={{page}}', intervalMs: 1000 })).toEqual([]);
  });
});
