import { sleep } from '../delivery/backoff.js';
// Pacing for sources that emit at a configured rate (generator, simulators, pollers).

/** A monotonic clock in milliseconds (injectable so pacing can be tested without real time). */
export interface Clock {
  now(): number;
}

export const monotonicClock: Clock = { now: () => performance.now() };

/**
 * Paces output at `ratePerSecond`. Tokens accrue continuously up to `capacity` (the largest burst);
 * `take(n)` hands out as many whole tokens as are available, up to n. The bucket starts full.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    readonly capacity: number,
    private readonly clock: Clock = monotonicClock,
  ) {
    if (!(ratePerSecond > 0)) throw new Error(`token bucket rate must be > 0, got ${ratePerSecond}`);
    if (!(capacity >= 1)) throw new Error(`token bucket capacity must be ≥ 1, got ${capacity}`);
    this.tokens = capacity;
    this.last = clock.now();
  }

  /** Takes up to `wanted` whole tokens; returns how many were taken (0 when none is available). */
  take(wanted: number): number {
    this.refill();
    const granted = Math.min(Math.floor(this.tokens), Math.max(0, Math.floor(wanted)));
    this.tokens -= granted;
    return granted;
  }

  /** Milliseconds until `count` tokens (at most the capacity) are available; 0 when they already are. */
  msUntil(count: number): number {
    this.refill();
    const missing = Math.min(count, this.capacity) - this.tokens;
    return missing <= 0 ? 0 : (missing * 1000) / this.ratePerSecond;
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = now - this.last;
    this.last = now;
    if (elapsed > 0) this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.ratePerSecond) / 1000);
  }
}

/** The burst a paced source hands out per read: ~10 ms worth of records, at least 1, at most `batchSize`. */
export function pacedChunk(ratePerSecond: number, batchSize: number): number {
  return Math.max(1, Math.min(batchSize, Math.ceil(ratePerSecond / 100)));
}


/**
 * How many records a source may hand out per read: `batchSize` at full speed (rate 0), or paced
 * chunks of ~10 ms worth of records from a token bucket at `ratePerSecond`.
 */
export class RatePacer {
  private readonly bucket?: TokenBucket;
  private readonly chunk: number;

  constructor(ratePerSecond: number, batchSize: number, clock: Clock = monotonicClock) {
    if (ratePerSecond > 0) {
      this.chunk = pacedChunk(ratePerSecond, batchSize);
      this.bucket = new TokenBucket(ratePerSecond, this.chunk, clock);
    } else {
      this.chunk = batchSize;
    }
  }

  /**
   * Waits (honouring `signal`) until at least one record may go, and returns how many, at most
   * `remaining`. Returns 0 only when `signal` aborted while waiting.
   */
  async allowance(remaining: number, signal: AbortSignal): Promise<number> {
    const size = Math.min(this.chunk, remaining);
    if (!this.bucket) return size;
    let granted = this.bucket.take(size);
    if (granted === 0) {
      await sleep(this.bucket.msUntil(size), signal);
      if (signal.aborted) return 0;
      granted = this.bucket.take(size);
    }
    return granted;
  }
}
