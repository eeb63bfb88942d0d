import type { RestartPolicy } from '../config/sluice-config.js';
import { backoffDelay, sleep } from '../delivery/backoff.js';

/**
 * Runs `operation` until it succeeds or `signal` aborts, waiting with exponential backoff between
 * failures (used where giving up would lose data: publishing, dead-lettering, (re)starting a stage).
 * Throws the last error when stopped before success.
 */
export async function retryUntilStopped<T>(
  operation: () => Promise<T>,
  policy: RestartPolicy,
  signal: AbortSignal,
  onError: (error: unknown, attempt: number) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (signal.aborted) throw error;
      onError(error, attempt);
      await sleep(backoffDelay(attempt, { ...policy, multiplier: 2, jitter: 0.2 }), signal);
      if (signal.aborted) throw error;
    }
  }
}
