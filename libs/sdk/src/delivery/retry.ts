import { isRetryable } from '../errors.js';
import { backoffDelay, sleep, type BackoffPolicy } from './backoff.js';

/** The final failure of a retried operation, with how many attempts were made. */
export class RetriesExhausted extends Error {
  constructor(
    readonly cause: unknown,
    readonly attempts: number,
    /** Whether the last error was a retryable one (false: it was refused at once). */
    readonly retryable: boolean,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'RetriesExhausted';
  }
}

export interface RetryOptions {
  readonly backoff: BackoffPolicy;
  /** Attempts in all (1: no retry); `Infinity`: until it succeeds or `signal` aborts. */
  readonly maxAttempts: number;
  /** Aborting stops the retries (the wait in progress ends at once). */
  readonly signal?: AbortSignal;
  /** Which errors may be retried; others end the run at once. Default: the SDK's `isRetryable`. */
  readonly retryable?: (error: unknown) => boolean;
  /** The number of the first attempt made here, when earlier ones were made elsewhere (default 1). */
  readonly firstAttempt?: number;
  /** Called before each wait (counters, logs). */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/**
 * The one retry executor: runs `operation` until it succeeds, fails with an error `retryable`
 * refuses, reaches `maxAttempts` or `signal` aborts; then throws {@link RetriesExhausted} with the
 * last error. Waits between attempts with exponential backoff and jitter.
 */
export async function retry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const retryable = options.retryable ?? isRetryable;
  for (let attempt = options.firstAttempt ?? 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      const again = retryable(error);
      if (!again || attempt >= options.maxAttempts || options.signal?.aborted) throw new RetriesExhausted(error, attempt, again);
      const delay = backoffDelay(attempt, options.backoff);
      options.onRetry?.(error, attempt, delay);
      await sleep(delay, options.signal);
      if (options.signal?.aborted) throw new RetriesExhausted(error, attempt, again);
    }
  }
}

/** Retries anything, until it succeeds or `signal` aborts (for what must not be given up: publishing, starting). */
export const EVERY_ERROR = (): boolean => true;
