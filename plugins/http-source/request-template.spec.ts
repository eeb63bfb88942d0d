import { describe, expect, it } from '@jest/globals';
import { PollScope, RequestPlan } from './request-plan.js';
import { compileJsonTemplate, JsonTemplateError, renderJsonTemplate, TemplateError, TextTemplate } from './request-template.js';
import type { RandomSource } from './random-source.js';
import { DEFAULT_REDACTED_QUERY_PARAMS } from './url-redaction.js';

/** Draws min, min+1, min+2, ... so tests can tell draws apart. */
function countingRandom(): RandomSource {
  let n = 0;
  return { float: () => 0, int: (min, max) => Math.min(max, min + n++) };
}

const T = Date.UTC(2025, 5, 1, 12, 30, 45, 678);

function scope(env: Record<string, string> = {}, random: RandomSource = countingRandom()): PollScope {
  return new PollScope(T, 1, random, env);
}

function render(source: string, s = scope()): string {
  return TextTemplate.compile(source).render(s);
}

describe('request templates: grammar', () => {
  it('leaves text without placeholders as it is, lone braces included', () => {
    expect(render('https://x.test/a}}b{c}')).toBe('https://x.test/a}}b{c}');
  });

  it('fills randomInt, now (three formats), env, page and cursor', () => {
    const s = scope({ API_KEY: 'k-123' });
    s.page = 3;
    s.cursor = 'abc';
    expect(render('{{randomInt 5 9}}|{{now}}|{{now iso}}|{{now ms}}|{{now s}}|{{env API_KEY}}|{{page}}|{{cursor}}', s)).toBe(
      `5|2025-06-01T12:30:45.678Z|2025-06-01T12:30:45.678Z|${T}|${Math.floor(T / 1000)}|k-123|3|abc`,
    );
  });

  it('accepts spaces inside the braces and negative bounds', () => {
    expect(render('{{  randomInt   -3   -3 }}')).toBe('-3');
  });

  it('writes \\{{ as a literal {{', () => {
    expect(render('a\\{{page}}b')).toBe('a{{page}}b');
  });

  it('draws each randomInt placeholder once per poll: every page sees the same value', () => {
    const template = TextTemplate.compile('{{randomInt 1 100}}-{{randomInt 1 100}}');
    const s = scope();
    expect(template.render(s)).toBe('1-2');
    s.page++;
    expect(template.render(s)).toBe('1-2');
    expect(template.render(scope())).toBe('1-2'); // a new poll draws again (here: the same counting stream)
  });

  it.each([
    ['{{page', 'unclosed "{{" at column 1'],
    ['x{{}}', 'empty placeholder "{{}}" at column 2'],
    ['{{randint 1 9}}', 'unknown placeholder "randint" at column 1 (did you mean "randomInt"?)'],
    ['{{randomInt 1}}', 'write {{randomInt MIN MAX}}'],
    ['{{randomInt 1 x}}', 'MIN and MAX must be integers'],
    ['{{randomInt 1.5 3}}', 'MIN and MAX must be integers'],
    ['{{randomInt 9 1}}', 'MIN (9) is greater than MAX (1)'],
    ['{{now hours}}', 'unknown format "hours"'],
    ['{{env}}', 'write {{env NAME}}'],
    ['{{env 9LIVES}}', 'is not an environment variable name'],
    ['{{page 2}}', 'write {{page}} without arguments'],
  ])('rejects %s with a message naming the problem', (source, message) => {
    expect(() => TextTemplate.compile(source)).toThrow(TemplateError);
    expect(() => TextTemplate.compile(source)).toThrow(message);
  });

  it('reports the placeholders and environment variables it uses', () => {
    const template = TextTemplate.compile('{{env A}}/{{page}}/{{env B}}');
    expect(template.uses('page')).toBe(true);
    expect(template.uses('cursor')).toBe(false);
    expect(template.envNames()).toEqual(['A', 'B']);
  });

  it('fails clearly when an environment variable is missing at render time', () => {
    expect(() => render('{{env NOPE}}')).toThrow('environment variable NOPE (used as {{env NOPE}}) is not set');
  });
});

describe('request templates: JSON bodies', () => {
  it('keeps the type of a string that is exactly one placeholder, and renders the others as text', () => {
    const body = compileJsonTemplate({ id: '{{randomInt 7 7}}', label: 'pokemon {{randomInt 7 7}}', page: '{{page}}', at: '{{now ms}}', tags: ['{{cursor}}', 2, true, null], nested: { iso: '{{now}}' } });
    const s = scope();
    s.cursor = 'c1';
    expect(renderJsonTemplate(body, s)).toEqual({ id: 7, label: 'pokemon 7', page: 1, at: T, tags: ['c1', 2, true, null], nested: { iso: '2025-06-01T12:30:45.678Z' } });
  });

  it('names the path of a broken string', () => {
    try {
      compileJsonTemplate({ filter: { ids: ['ok', '{{randomint 1 2}}'] } });
      throw new Error('expected a JsonTemplateError');
    } catch (error) {
      expect(error).toBeInstanceOf(JsonTemplateError);
      expect((error as JsonTemplateError).path).toBe('filter.ids[1]');
    }
  });
});

describe('request plan', () => {
  const base = { method: 'GET' as const, headers: {}, redactQueryParams: [...DEFAULT_REDACTED_QUERY_PARAMS] };

  it('percent-encodes values in the url and hides {{env}} values and secret parameters in the shown URL', () => {
    const plan = new RequestPlan({ ...base, url: 'https://api.test/search?q={{env QUERY}}&api_key={{env KEY}}&at={{now}}&static_token=x&token=plain' });
    const request = plan.build(scope({ QUERY: 'a b&c', KEY: 's3cr3t' }));
    expect(request.url).toBe('https://api.test/search?q=a%20b%26c&api_key=s3cr3t&at=2025-06-01T12%3A30%3A45.678Z&static_token=x&token=plain');
    expect(request.displayUrl).toBe('https://api.test/search?q=REDACTED&api_key=REDACTED&at=2025-06-01T12%3A30%3A45.678Z&static_token=x&token=REDACTED');
    expect(request.displayUrl).not.toContain('s3cr3t');
  });

  it('sets default headers, the bearer token and templated headers (names lower-cased, config wins)', () => {
    const plan = new RequestPlan({ ...base, url: 'https://api.test/', headers: { 'X-Api-Key': '{{env KEY}}', Accept: 'application/vnd.api+json' }, bearerToken: 'tok-{{env TOKEN}}' });
    const request = plan.build(scope({ KEY: 'k1', TOKEN: 't1' }));
    expect(request.headers).toEqual({ accept: 'application/vnd.api+json', 'user-agent': 'sluice-http-source/1.0', authorization: 'Bearer tok-t1', 'x-api-key': 'k1' });
    expect(plan.envNames().sort()).toEqual(['KEY', 'TOKEN']);
  });

  it('sends a JSON body as JSON and a string body as text', () => {
    const json = new RequestPlan({ ...base, method: 'POST', url: 'https://api.test/q', body: { id: '{{randomInt 3 3}}' } }).build(scope());
    expect(json).toMatchObject({ method: 'POST', body: '{"id":3}', headers: { 'content-type': 'application/json' } });
    const text = new RequestPlan({ ...base, method: 'POST', url: 'https://api.test/q', body: 'page={{page}}' }).build(scope());
    expect(text).toMatchObject({ body: 'page=1', headers: { 'content-type': 'text/plain; charset=utf-8' } });
  });

  it('goes to the next URL when pagination gives one, redacting it for display', () => {
    const plan = new RequestPlan({ ...base, url: 'https://api.test/items' });
    const request = plan.build(scope(), 'https://user:pw@api.test/items?page=2&token=abc');
    expect(request.url).toBe('https://user:pw@api.test/items?page=2&token=abc');
    expect(request.displayUrl).toBe('https://api.test/items?page=2&token=REDACTED');
  });

  it('refuses a header value that renders a line break, without showing it', () => {
    const plan = new RequestPlan({ ...base, url: 'https://api.test/', headers: { 'X-Key': '{{env KEY}}' } });
    expect(() => plan.build(scope({ KEY: 'evil\r\nX-Other: 1' }))).toThrow('headers.X-Key renders to a value holding a line break');
    expect(() => plan.build(scope({ KEY: 'evil\r\nX-Other: 1' }))).not.toThrow('evil');
  });
});
