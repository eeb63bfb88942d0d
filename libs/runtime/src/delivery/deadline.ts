import { RetryableError } from '@sluice/sdk';

/** A plugin call that ran past its bound (`startTimeoutMs`, `writeTimeoutMs`): retryable. */
export class DeadlineExceeded extends RetryableError {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super(`${what} timed out after ${timeoutMs} ms`);
    this.name = 'DeadlineExceeded';
  }
}

/**
 * Runs `operation` with a signal that aborts after `timeoutMs` (or when `parent` aborts), and
 * rejects with {@link DeadlineExceeded} at the deadline even when the operation ignores its signal:
 * a hung plugin call never blocks its caller for longer than the bound.
 */
export function withDeadline<T>(operation: (signal: AbortSignal) => Promise<T> | T, timeoutMs: number, what: string, parent?: AbortSignal): Promise<T> {
  const controller = new AbortController();
  const abort = () => controller.abort(parent?.reason);
  parent?.addEventListener('abort', abort, { once: true });
  if (parent?.aborted) controller.abort(parent.reason);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new DeadlineExceeded(what, timeoutMs);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  let running: Promise<T>;
  try {
    running = Promise.resolve(operation(controller.signal));
  } catch (error) {
    running = Promise.reject(error);
  }
  // Once the deadline won, whatever the abandoned call ends with is of no interest.
  running.catch(() => undefined);
  return Promise.race([running, deadline]).finally(() => {
    clearTimeout(timer);
    parent?.removeEventListener('abort', abort);
  });
}
