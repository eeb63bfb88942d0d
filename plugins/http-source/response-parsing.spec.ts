import { describe, expect, it } from '@jest/globals';
import { parsePath, pathProblem, valueAt } from './json-path.js';
import { nextLink, parseLinks } from './link-header.js';
import { keyOf, pageFailure, pageRecord, recordValues } from './response-records.js';
import { redactUrl, secretParamSet } from './url-redaction.js';

describe('dotted paths', () => {
  const body = { results: [{ login: { uuid: 'u-1' }, id: 7 }], info: { page: 1 }, 'a.b': 1 };

  it('reach nested properties and array items', () => {
    expect(valueAt(body, parsePath('results.0.login.uuid'))).toBe('u-1');
    expect(valueAt(body, parsePath('info'))).toEqual({ page: 1 });
    expect(valueAt(body, parsePath(''))).toBe(body);
  });

  it('give undefined for anything missing on the way, without walking prototypes', () => {
    expect(valueAt(body, parsePath('results.5.id'))).toBeUndefined();
    expect(valueAt(body, parsePath('results.first'))).toBeUndefined();
    expect(valueAt(body, parsePath('info.page.value'))).toBeUndefined();
    expect(valueAt(body, parsePath('info.toString'))).toBeUndefined();
  });

  it('reject empty segments', () => {
    expect(pathProblem('login..uuid')).toContain('empty segment');
    expect(pathProblem('.id')).toContain('empty segment');
    expect(pathProblem('login.uuid')).toBeUndefined();
  });
});

describe('records of a body', () => {
  it('takes the array at recordsPath, or the whole body', () => {
    expect(recordValues({ results: [1, 2] }, parsePath('results'))).toEqual({ values: [1, 2] });
    expect(recordValues({ id: 25 }, [])).toEqual({ values: [{ id: 25 }] });
  });

  it('says why there are none: missing, or not an array', () => {
    expect(recordValues({ error: 'x' }, parsePath('results'))).toEqual({ problem: 'the response has nothing at recordsPath "results"' });
    expect(recordValues({ results: { id: 1 } }, parsePath('results'))).toEqual({ problem: 'recordsPath "results" holds object, not an array of records' });
    expect(recordValues({ results: null }, parsePath('results'))).toEqual({ problem: 'recordsPath "results" holds null, not an array of records' });
  });

  it('keys records by keyPath: strings as they are, other values as JSON, absent as null', () => {
    expect(keyOf({ login: { uuid: 'u' } }, parsePath('login.uuid'))).toBe('u');
    expect(keyOf({ id: 25 }, parsePath('id'))).toBe('25');
    expect(keyOf({ id: { a: 1 } }, parsePath('id'))).toBe('{"a":1}');
    expect(keyOf({ other: 1 }, parsePath('id'))).toBeNull();
    expect(keyOf({ id: null }, parsePath('id'))).toBeNull();
    expect(keyOf({ id: 1 }, undefined)).toBeNull();
  });

  it('builds records and failure records with the http headers and the poll position', () => {
    const page = { position: { lane: 'polls', offset: 4 }, displayUrl: 'https://api.test/x', status: 200, fetchedAt: Date.UTC(2025, 0, 2) };
    expect(pageRecord(page, { id: 1 }, ['id'])).toEqual({
      value: { id: 1 },
      key: '1',
      headers: { 'http.url': 'https://api.test/x', 'http.status': '200', 'http.fetched_at': '2025-01-02T00:00:00.000Z' },
      timestamp: Date.UTC(2025, 0, 2),
      position: { lane: 'polls', offset: 4 },
    });
    const failure = pageFailure({ ...page, status: undefined }, 'GET', 'timed out after 5 ms');
    expect(failure.failure).toBe('GET https://api.test/x: timed out after 5 ms');
    expect(failure.value).toEqual({ method: 'GET', url: 'https://api.test/x', error: 'timed out after 5 ms' });
    expect(failure.headers).not.toHaveProperty('http.status');
    expect(failure.position).toEqual({ lane: 'polls', offset: 4 });
  });
});

describe('Link header', () => {
  it('finds rel="next" among several links, in any order, relative or absolute', () => {
    expect(nextLink('<https://api.test/items?page=9>; rel="last", <https://api.test/items?page=2>; rel="next"')).toBe('https://api.test/items?page=2');
    expect(nextLink('</items?page=3>; rel=next')).toBe('/items?page=3');
    expect(nextLink('<https://api.test/a>; rel="prev next"')).toBe('https://api.test/a');
  });

  it('copes with quoted parameters holding commas and semicolons', () => {
    const header = '<https://api.test/p1>; title="a, b; c"; rel="prev", <https://api.test/p3>; rel="next"; title="x"';
    expect(nextLink(header)).toBe('https://api.test/p3');
    expect(parseLinks(header)).toHaveLength(2);
  });

  it('gives undefined without a next link', () => {
    expect(nextLink(null)).toBeUndefined();
    expect(nextLink('')).toBeUndefined();
    expect(nextLink('<https://api.test/p1>; rel="prev"')).toBeUndefined();
    expect(nextLink('garbage, more garbage')).toBeUndefined();
  });
});

describe('URL redaction', () => {
  const secrets = secretParamSet(['api_key', 'Token']);

  it('hides user info and the values of secret parameters (case-insensitive), keeping the rest', () => {
    expect(redactUrl('https://me:pw@api.test/a?API_KEY=1&q=x&token=2&tokens=3', secrets)).toBe('https://api.test/a?API_KEY=REDACTED&q=x&token=REDACTED&tokens=3');
    expect(redactUrl('https://api.test/a', secrets)).toBe('https://api.test/a');
  });

  it('shows nothing of a string that is not a URL', () => {
    expect(redactUrl('not a url?token=1', secrets)).toBe('REDACTED');
  });
});
