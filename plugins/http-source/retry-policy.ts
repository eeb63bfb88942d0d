import type { RandomSource } from './random-source.js';

/** The retry settings of one request (see `RetryConfig`). */
export interface RetrySettings {
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly maxRetryAfterMs: number;
}

/** Statuses worth another attempt: 429 Too Many Requests and every 5xx. Other 4xx never change by retrying. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/**
 * The wait before attempt `failedAttempt + 1`: exponential (`initialBackoffMs` × 2^(failedAttempt-1),
 * capped at `maxBackoffMs`) with "equal jitter": a uniform draw in [half, all] of that, so clients
 * that failed together spread out while none retries at once.
 */
export function backoffMs(failedAttempt: number, settings: Pick<RetrySettings, 'initialBackoffMs' | 'maxBackoffMs'>, random: RandomSource): number {
  const ceiling = Math.min(settings.maxBackoffMs, settings.initialBackoffMs * 2 ** Math.max(0, failedAttempt - 1));
  return Math.round(ceiling / 2 + random.float() * (ceiling / 2));
}

/**
 * How long a `Retry-After` header asks to wait, in ms: delay-seconds (`120`) or an HTTP date
 * (`Wed, 21 Oct 2015 07:28:00 GMT`, measured against `now`; a date in the past means 0).
 * Undefined when the header is absent or unreadable.
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[A-Za-z]/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
