import { backoffDelay } from './backoff.js';
import { EVERY_ERROR, RetriesExhausted, retry } from './retry.js';
import { RecordError } from '../errors.js';

const policy = { maxAttempts: 4, initialBackoffMs: 100, maxBackoffMs: 1000, multiplier: 2, jitter: 0 };
const withRetry = <T>(operation: (attempt: number) => Promise<T>, backoff: typeof policy, hooks: { onRetry?: (e: unknown, attempt: number) => void } = {}) =>
  retry(operation, { backoff, maxAttempts: backoff.maxAttempts, ...hooks });

describe('backoff and retry', () => {
  it('grows exponentially up to the cap, with jitter inside its band', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, policy))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay(2, { ...policy, jitter: 0.5 }, () => 0)).toBe(100);
    expect(backoffDelay(2, { ...policy, jitter: 0.5 }, () => 1)).toBe(300);
  });

  it('retries retryable errors until success', async () => {
    let calls = 0;
    const retries: number[] = [];
    const result = await withRetry(
      async () => {
        if (++calls < 3) throw new Error('flaky');
        return 'ok';
      },
      { ...policy, initialBackoffMs: 1 },
      { onRetry: (_e, attempt) => retries.push(attempt) },
    );
    expect(result).toBe('ok');
    expect(retries).toEqual([1, 2]);
  });

  it('stops at once on a non-retryable error and after maxAttempts otherwise', async () => {
    let calls = 0;
    const bad = withRetry(async () => {
      calls++;
      throw new RecordError('bad data', { retryable: false });
    }, policy);
    await expect(bad).rejects.toMatchObject({ attempts: 1, retryable: false, message: 'bad data' });
    expect(calls).toBe(1);
    const down = withRetry(async () => {
      throw new Error('down');
    }, { ...policy, initialBackoffMs: 1 });
    await expect(down).rejects.toBeInstanceOf(RetriesExhausted);
    await expect(down).rejects.toMatchObject({ attempts: 4, retryable: true });
  });

  it('retries every error until stopped when told to, and starts counting where earlier attempts left off', async () => {
    const controller = new AbortController();
    const attempts: number[] = [];
    const forever = retry(
      async (attempt) => {
        attempts.push(attempt);
        if (attempt === 6) controller.abort();
        throw new RecordError('bad data');
      },
      { backoff: { ...policy, initialBackoffMs: 1 }, maxAttempts: Infinity, retryable: EVERY_ERROR, signal: controller.signal, firstAttempt: 3 },
    );
    await expect(forever).rejects.toMatchObject({ attempts: 6, message: 'bad data' });
    expect(attempts).toEqual([3, 4, 5, 6]);
  });
});
