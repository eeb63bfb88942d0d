import { describe, expect, it } from '@jest/globals';
import { QueryRequestError } from '../query-errors.js';
import { DEFAULT_RANGE_MS, parseQueryRequest, parseRange, requestBody } from './grafana-request.js';

const NOW = Date.parse('2025-03-01T12:00:00.000Z');
const FROM = '2016-10-31T06:33:44.866Z';
const TO = '2016-10-31T12:33:44.866Z';

/** The SimpleJSON README's example request (with its adhocFilters as a proper list). */
const SIMPLE_JSON = {
  panelId: 1,
  range: { from: FROM, to: TO, raw: { from: 'now-6h', to: 'now' } },
  rangeRaw: { from: 'now-6h', to: 'now' },
  interval: '30s',
  intervalMs: 30000,
  targets: [
    { target: 'upper_50', refId: 'A', type: 'timeserie' },
    { target: 'upper_75', refId: 'B', type: 'table' },
    { target: 'upper_90', refId: 'C' },
  ],
  adhocFilters: [{ key: 'City', operator: '=', value: 'Berlin' }],
  format: 'json',
  maxDataPoints: 550,
};

/** The JSON datasource README's example request. */
const SIMPOD = {
  panelId: 1,
  range: { from: FROM, to: TO, raw: { from: 'now-6h', to: 'now' } },
  rangeRaw: { from: 'now-6h', to: 'now' },
  interval: '30s',
  intervalMs: 30000,
  maxDataPoints: 550,
  targets: [
    { target: 'Packets', refId: 'A', payload: { additional: 'optional json' } },
    { target: 'Errors', refId: 'B' },
  ],
  adhocFilters: [{ key: 'City', operator: '=', value: 'Berlin' }],
};

describe('parseQueryRequest', () => {
  it('reads the SimpleJSON example: range, bucket, targets with their type (timeserie by default), ad hoc filters', () => {
    const request = parseQueryRequest(SIMPLE_JSON, 'simple-json', NOW);
    const from = Date.parse(FROM);
    const to = Date.parse(TO);
    expect(request.window).toEqual({ from, to, intervalMs: Math.max(30000, Math.ceil((to - from + 1) / 550)) });
    expect(request.targets).toEqual([
      { index: 0, target: 'upper_50', refId: 'A', type: 'timeserie' },
      { index: 1, target: 'upper_75', refId: 'B', type: 'table' },
      { index: 2, target: 'upper_90', refId: 'C', type: 'timeserie' },
    ]);
    expect(request.adhocFilters).toEqual([{ key: 'City', operator: '=', value: 'Berlin' }]);
  });

  it('reads the JSON datasource example with its payloads, and skips hidden targets', () => {
    const request = parseQueryRequest({ ...SIMPOD, targets: [...SIMPOD.targets, { target: 'Hidden', refId: 'C', hide: true }] }, 'simpod', NOW);
    expect(request.targets).toEqual([
      { index: 0, target: 'Packets', refId: 'A', payload: { additional: 'optional json' } },
      { index: 1, target: 'Errors', refId: 'B' },
    ]);
    expect(request.window.intervalMs).toBe(39_273);
  });

  it('uses maxDataPoints 1000 when the request has neither it nor intervalMs', () => {
    const request = parseQueryRequest({ range: { from: '0', to: '999999' }, targets: [] }, 'simpod', NOW);
    expect(request.window).toEqual({ from: 0, to: 999_999, intervalMs: 1000 });
  });

  it('answers clear errors for what is missing or malformed', () => {
    const bad = (body: unknown, format: 'simpod' | 'simple-json' = 'simpod') => () => parseQueryRequest(body, format, NOW);
    expect(bad({ targets: [] })).toThrow('range is required: { "from": <ISO 8601 time>, "to": <ISO 8601 time> }');
    expect(bad({ range: { from: FROM }, targets: [] })).toThrow('range.to is required (an ISO 8601 time)');
    expect(bad({ range: 'last hour', targets: [] })).toThrow('range must be an object');
    expect(bad({ range: { from: TO, to: FROM }, targets: [] })).toThrow(/^range\.from \(.*\) is after range\.to/);
    expect(bad({ range: SIMPOD.range })).toThrow('targets is required');
    expect(bad({ range: SIMPOD.range, targets: ['a'] })).toThrow('targets[0] must be an object');
    expect(bad({ range: SIMPOD.range, targets: [{ refId: 'A' }] })).toThrow('targets[0].target is required');
    expect(bad({ range: SIMPOD.range, targets: [{ target: 'x', type: 'timeseries' }] }, 'simple-json')).toThrow('targets[0].type must be "timeserie" or "table", got "timeseries"');
    expect(bad({ range: SIMPOD.range, targets: [], intervalMs: -1 })).toThrow('intervalMs must be a positive number');
    expect(bad({ range: SIMPOD.range, targets: [], maxDataPoints: 'many' })).toThrow('maxDataPoints must be a positive integer');
    expect(bad([1, 2])).toThrow('the request body must be a JSON object');
  });
});

describe('parseRange and requestBody', () => {
  it('defaults the range when it is optional', () => {
    expect(parseRange({}, false, DEFAULT_RANGE_MS, NOW)).toEqual({ from: NOW - DEFAULT_RANGE_MS, to: NOW });
    expect(parseRange({ range: { from: FROM, to: TO } }, false, DEFAULT_RANGE_MS, NOW)).toEqual({ from: Date.parse(FROM), to: Date.parse(TO) });
  });

  it('treats no body as {}, and refuses bodies that are not objects', () => {
    expect(requestBody(undefined)).toEqual({});
    expect(requestBody('')).toEqual({});
    expect(requestBody({ a: 1 })).toEqual({ a: 1 });
    expect(() => requestBody('text')).toThrow(QueryRequestError);
  });
});
