/**
 * A failure while handling a record. `retryable: true` (a timeout, a lost connection) makes the
 * runtime retry with exponential backoff; `retryable: false` (bad data) sends the record to the
 * dead-letter destination at once. Errors that are not RecordErrors are treated as retryable.
 */
export class RecordError extends Error {
  readonly retryable: boolean;
  readonly details?: unknown;

  constructor(message: string, options: { retryable?: boolean; details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RecordError';
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }
}

/** Bad data that no retry can fix: the record goes to the dead-letter destination. */
export function invalidRecord(message: string, details?: unknown): RecordError {
  return new RecordError(message, { retryable: false, details });
}

/** Whether the runtime should retry after this error. */
export function isRetryable(error: unknown): boolean {
  return error instanceof RecordError ? error.retryable : true;
}

/** A one-line description of any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'object' && error !== null && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}
