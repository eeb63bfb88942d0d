import { isRetryable } from '@sluice/sdk';
import type { RetryPolicy } from '../config/sluice-config.js';
import { backoffDelay, sleep } from './backoff.js';

/** The final failure of a retried operation, with how many attempts were made. */
export class RetriesExhausted extends Error {
  constructor(
    readonly cause: unknown,
    readonly attempts: number,
    readonly retryable: boolean,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'RetriesExhausted';
  }
}

export interface RetryHooks {
  readonly signal?: AbortSignal;
  /** Called before each retry (for counters and logs). */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Runs `operation` until it succeeds, fails with a non-retryable error, or `maxAttempts` is reached
 * (then throws {@link RetriesExhausted}). Retries wait with exponential backoff and jitter.
 */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, policy: RetryPolicy, hooks: RetryHooks = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      const retryable = isRetryable(error);
      if (!retryable || attempt >= policy.maxAttempts || hooks.signal?.aborted) throw new RetriesExhausted(error, attempt, retryable);
      const delay = backoffDelay(attempt, policy);
      hooks.onRetry?.(error, attempt, delay);
      await sleep(delay, hooks.signal);
    }
  }
}
