import { describe, expect, it } from '@jest/globals';
import { QueryRequestError } from './query-errors.js';
import { bucketWidth, DEFAULT_MAX_DATA_POINTS, optionalPositive, parseInstant, resolveWindow } from './time-range.js';

const NOW = Date.parse('2025-03-01T12:00:00.000Z');

describe('parseInstant', () => {
  it('reads epoch ms (number or digits), ISO 8601 and now[-<n><unit>]', () => {
    expect(parseInstant(1_700_000_000_000, 'from', NOW)).toBe(1_700_000_000_000);
    expect(parseInstant('1700000000000', 'from', NOW)).toBe(1_700_000_000_000);
    expect(parseInstant('2025-03-01T10:30:00.250Z', 'from', NOW)).toBe(Date.parse('2025-03-01T10:30:00.250Z'));
    expect(parseInstant('now', 'to', NOW)).toBe(NOW);
    expect(parseInstant('now-6h', 'from', NOW)).toBe(NOW - 6 * 3_600_000);
    expect(parseInstant('now-15m', 'from', NOW)).toBe(NOW - 15 * 60_000);
    expect(parseInstant('now-2d', 'from', NOW)).toBe(NOW - 2 * 86_400_000);
    expect(parseInstant('now-1w', 'from', NOW)).toBe(NOW - 604_800_000);
    expect(parseInstant('now-500ms', 'from', NOW)).toBe(NOW - 500);
  });

  it('refuses anything else, naming the field', () => {
    for (const bad of ['yesterday', 'now-6y', '', NaN, Infinity, {}, null, '2025-13-45T00:00:00Z']) {
      expect(() => parseInstant(bad, 'range.from', NOW)).toThrow(QueryRequestError);
    }
    expect(() => parseInstant('soon', 'range.from', NOW)).toThrow('range.from must be epoch milliseconds, an ISO 8601 time or now[-<n><unit>] (units ms, s, m, h, d, w), got "soon"');
  });
});

describe('resolveWindow', () => {
  it('defaults to to = now and from = to - defaultRangeMs', () => {
    expect(resolveWindow({}, 3_600_000, NOW)).toEqual({ from: NOW - 3_600_000, to: NOW });
    expect(resolveWindow({ to: '1000000' }, 1000, NOW)).toEqual({ from: 999_000, to: 1_000_000 });
    expect(resolveWindow({ from: 'now-1h', to: '' }, 5, NOW)).toEqual({ from: NOW - 3_600_000, to: NOW });
  });

  it('refuses a from after to, with both times', () => {
    expect(() => resolveWindow({ from: 2000, to: 1000 }, 1, NOW, { from: 'range.from', to: 'range.to' })).toThrow(
      'range.from (1970-01-01T00:00:02.000Z) is after range.to (1970-01-01T00:00:01.000Z)',
    );
  });
});

describe('optionalPositive', () => {
  it('reads numbers and numeric strings, undefined when absent', () => {
    expect(optionalPositive(undefined, 'intervalMs', false)).toBeUndefined();
    expect(optionalPositive('', 'intervalMs', false)).toBeUndefined();
    expect(optionalPositive(30_000, 'intervalMs', false)).toBe(30_000);
    expect(optionalPositive('1.5', 'intervalMs', false)).toBe(1.5);
    expect(optionalPositive('550', 'maxDataPoints', true)).toBe(550);
  });

  it('refuses zero, negatives, text and fractions where an integer is needed', () => {
    expect(() => optionalPositive(0, 'intervalMs', false)).toThrow('intervalMs must be a positive number, got 0');
    expect(() => optionalPositive(-5, 'intervalMs', false)).toThrow(QueryRequestError);
    expect(() => optionalPositive('abc', 'intervalMs', false)).toThrow(QueryRequestError);
    expect(() => optionalPositive(1.5, 'maxDataPoints', true)).toThrow('maxDataPoints must be a positive integer, got 1.5');
  });
});

describe('bucketWidth', () => {
  const day = { from: 0, to: 86_400_000 - 1 };

  it('is intervalMs when that already keeps the points under maxDataPoints', () => {
    expect(bucketWidth(day, 3_600_000, 1000)).toBe(3_600_000);
  });

  it('widens to range / maxDataPoints when intervalMs would give too many points', () => {
    expect(bucketWidth(day, 1000, 1000)).toBe(86_400);
    expect(bucketWidth(day, undefined, 100)).toBe(864_000);
    expect(bucketWidth(day, undefined)).toBe(Math.ceil(86_400_000 / DEFAULT_MAX_DATA_POINTS));
  });

  it('rounds up to whole milliseconds, at least 1', () => {
    expect(bucketWidth({ from: 0, to: 0 }, undefined, 1000)).toBe(1);
    expect(bucketWidth({ from: 0, to: 9 }, 2.2, 1000)).toBe(3);
  });

  it('never yields more than maxDataPoints buckets over the inclusive range', () => {
    for (const [span, max] of [
      [86_400_000, 1000],
      [86_400_001, 1000],
      [7, 3],
      [1_000_003, 17],
      [36_000_000, 20],
    ] as const) {
      const window = { from: 1_700_000_000_000, to: 1_700_000_000_000 + span };
      const width = bucketWidth(window, 1, max);
      const lastIndex = Math.floor((window.to - window.from) / width);
      expect(lastIndex + 1).toBeLessThanOrEqual(max);
    }
  });
});
