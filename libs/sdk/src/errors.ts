/**
 * Bad data: a record that no retry can fix (a failed schema, a value the store refuses, an
 * expression that fails on this record). The runtime sends it to the dead-letter destination at
 * once, with this message. Throw it only for the record's own fault; for an unavailable store, a
 * timeout or a lost connection throw a {@link RetryableError} (or any other error).
 */
export class RecordError extends Error {
  /**
   * Always `false` for records' faults. `true` is kept for plugins written before
   * {@link RetryableError} existed; new code throws a RetryableError instead.
   */
  readonly retryable: boolean;
  readonly details?: unknown;

  constructor(message: string, options: { retryable?: boolean; details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RecordError';
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }
}

/**
 * An infrastructure failure that says nothing about the records: the store is down, a connection
 * was lost, a write timed out, a lock is held. The runtime retries with exponential backoff and,
 * while it keeps failing, reports the stage `degraded` (`/health/ready` answers 503); the records
 * are neither lost nor dead-lettered for it. Errors that are not RecordErrors are treated the same.
 */
export class RetryableError extends Error {
  /** A hint from the system (a `Retry-After`, a broker's throttle time), in ms. */
  readonly retryAfterMs?: number;

  constructor(message: string, options: { cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RetryableError';
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** Bad data that no retry can fix: the record goes to the dead-letter destination. */
export function invalidRecord(message: string, details?: unknown): RecordError {
  return new RecordError(message, { retryable: false, details });
}

/** Whether the runtime should retry after this error: everything but a (non-retryable) RecordError. */
export function isRetryable(error: unknown): boolean {
  return error instanceof RecordError ? error.retryable : true;
}

/** A one-line description of any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'object' && error !== null && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}
