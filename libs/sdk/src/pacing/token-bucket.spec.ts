import { describe, expect, it } from '@jest/globals';
import { pacedChunk, RatePacer, TokenBucket, type Clock } from './token-bucket.js';
import { sleep } from '../delivery/backoff.js';

class FakeClock implements Clock {
  constructor(public time = 1000) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

describe('TokenBucket', () => {
  it('starts full and never hands out more than its capacity at once', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(100, 10, clock);
    expect(bucket.take(50)).toBe(10);
    expect(bucket.take(50)).toBe(0);
    clock.advance(60_000);
    expect(bucket.take(50)).toBe(10);
  });

  it('refills at the configured rate', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(100, 10, clock);
    bucket.take(10);
    clock.advance(30); // 3 tokens at 100/s
    expect(bucket.take(10)).toBe(3);
    clock.advance(5); // half a token: not yet a whole one
    expect(bucket.take(10)).toBe(0);
    clock.advance(5);
    expect(bucket.take(10)).toBe(1);
  });

  it('hands out no more than capacity + rate × elapsed over any run of takes', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(250, 5, clock);
    let taken = 0;
    const steps = [0, 1, 3, 7, 0, 13, 2, 40, 1, 1, 100, 0, 9];
    for (const ms of steps) {
      clock.advance(ms);
      taken += bucket.take(1000);
    }
    const elapsed = steps.reduce((a, b) => a + b, 0);
    expect(taken).toBeLessThanOrEqual(5 + (250 * elapsed) / 1000);
    expect(taken).toBeGreaterThan(0);
  });

  it('tells how long to wait for a number of tokens', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(200, 4, clock);
    expect(bucket.msUntil(4)).toBe(0);
    bucket.take(4);
    expect(bucket.msUntil(1)).toBe(5);
    expect(bucket.msUntil(4)).toBe(20);
    expect(bucket.msUntil(40)).toBe(20); // capped at the capacity
    clock.advance(5);
    expect(bucket.msUntil(1)).toBe(0);
  });

  it('rejects a zero rate or a capacity below one', () => {
    expect(() => new TokenBucket(0, 1)).toThrow('rate must be > 0');
    expect(() => new TokenBucket(10, 0)).toThrow('capacity must be ≥ 1');
  });
});

describe('pacedChunk', () => {
  it('is ~10 ms of records, at least 1 and at most the batch size', () => {
    expect(pacedChunk(1, 1000)).toBe(1);
    expect(pacedChunk(250, 1000)).toBe(3);
    expect(pacedChunk(50_000, 1000)).toBe(500);
    expect(pacedChunk(10_000_000, 1000)).toBe(1000);
  });
});

describe('sleep', () => {
  it('resolves early when the signal aborts', async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort();
    await expect(waiting).resolves.toBeUndefined();
    await expect(sleep(60_000, controller.signal)).resolves.toBeUndefined();
  });

  it('resolves after the delay otherwise', async () => {
    await expect(sleep(1, new AbortController().signal)).resolves.toBeUndefined();
  });
});

describe('RatePacer', () => {
  it('hands out whole batches at rate 0, capped by what remains', async () => {
    const pacer = new RatePacer(0, 500);
    const signal = new AbortController().signal;
    expect(await pacer.allowance(Number.POSITIVE_INFINITY, signal)).toBe(500);
    expect(await pacer.allowance(42, signal)).toBe(42);
  });

  it('paces by the token bucket: a burst of one chunk, then what the clock allows', async () => {
    let now = 0;
    const clock: Clock = { now: () => now };
    const pacer = new RatePacer(1000, 500, clock); // chunk = 10 records (10 ms at 1000/s)
    const signal = new AbortController().signal;
    expect(await pacer.allowance(100, signal)).toBe(10);
    now += 5; // 5 ms later: 5 tokens
    expect(await pacer.allowance(100, signal)).toBe(5);
  });

  it('returns 0 when the signal aborts while it waits', async () => {
    const clock: Clock = { now: () => 0 };
    const pacer = new RatePacer(1, 10, clock);
    const controller = new AbortController();
    expect(await pacer.allowance(10, controller.signal)).toBe(1);
    const waiting = pacer.allowance(10, controller.signal);
    controller.abort();
    expect(await waiting).toBe(0);
  });
});
