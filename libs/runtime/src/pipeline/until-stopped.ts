import { EVERY_ERROR, type BackoffPolicy, type RetryOptions } from '@sluice/sdk';
import type { RestartPolicy } from '../config/sluice-config.js';

/** The backoff of restarts: the pipeline's `restart` waits, doubling, with 20% jitter. */
export function restartBackoff(restart: RestartPolicy): BackoffPolicy {
  return { ...restart, multiplier: 2, jitter: 0.2 };
}

/**
 * Retry options for what must not be given up while the pipeline runs (publishing a batch,
 * dead-lettering, starting a stage): every error is retried with the restart backoff until the
 * operation succeeds or `signal` aborts.
 */
export function untilStopped(restart: RestartPolicy, signal: AbortSignal, onRetry: (error: unknown, attempt: number) => void): RetryOptions {
  return { backoff: restartBackoff(restart), maxAttempts: Number.POSITIVE_INFINITY, retryable: EVERY_ERROR, signal, onRetry };
}
