import { describe, expect, it } from '@jest/globals';
import { pollRandom, type RandomSource } from './random-source.js';
import { backoffMs, isRetryableStatus, retryAfterMs } from './retry-policy.js';

const settings = { initialBackoffMs: 100, maxBackoffMs: 1000 };
const stuck = (float: number): RandomSource => ({ float: () => float, int: (min) => min });

describe('retry policy', () => {
  it('retries 429 and 5xx, nothing else', () => {
    expect([429, 500, 502, 503, 504, 599].every(isRetryableStatus)).toBe(true);
    expect([200, 204, 301, 304, 400, 401, 403, 404, 408, 410, 422, 600].some(isRetryableStatus)).toBe(false);
  });

  it('doubles the backoff per attempt up to the cap, jittered within [half, all]', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffMs(attempt, settings, stuck(0)))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffMs(attempt, settings, stuck(0.9999999)))).toEqual([100, 200, 400, 800, 1000, 1000]);
    const random = pollRandom(3, 0).jitter;
    for (let i = 0; i < 500; i++) {
      const wait = backoffMs(3, settings, random);
      expect(wait).toBeGreaterThanOrEqual(200);
      expect(wait).toBeLessThanOrEqual(400);
    }
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2025-06-01T12:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Sun, 01 Jun 2025 12:00:03 GMT', now)).toBe(3000);
    expect(retryAfterMs('Sun, 01 Jun 2025 11:00:00 GMT', now)).toBe(0); // in the past: no wait
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-5', now)).toBeUndefined();
    expect(retryAfterMs('1.5', now)).toBeUndefined();
  });
});
