import type { JsonValue } from '../record.js';

/**
 * What a JSONata expression yields for a record: plain JSON data, or undefined when it yields
 * nothing (a path that matches nothing, for instance).
 */
export type ExpressionResult = JsonValue | undefined;

/** A value available now, or a promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Continues with an evaluation result: calls `next` with it right away when it is available (the
 * fast evaluator answered: no promise, no event-loop turn), or once the promise resolves. With
 * `onError`, a failed evaluation (a rejected promise) is handed to it, as `promise.then(next,
 * onError)` would: `onError` does not see errors thrown by `next`, which propagate as they are
 * (thrown synchronously when `next` ran synchronously).
 *
 * ```ts
 * return whenEvaluated(this.key.evaluate(record.value, record), (identity) => this.decide(record, identity), failure);
 * ```
 */
export function whenEvaluated<T, R>(result: MaybePromise<T>, next: (value: T) => MaybePromise<R>, onError?: (error: unknown) => MaybePromise<R>): MaybePromise<R> {
  if (!(result instanceof Promise)) return next(result);
  return onError === undefined ? result.then(next) : result.then(next, onError);
}

/**
 * Combines several evaluation results, in order: the array itself when every result is available
 * (no copy, no promise), a promise of their values otherwise. When some fail, it rejects with the
 * error of the first failing one in array order (once all have settled), whichever failed first in
 * time, so the error a record gets does not depend on which evaluator answered first.
 */
export function allEvaluated<T>(results: readonly MaybePromise<T>[]): MaybePromise<readonly T[]> {
  for (let index = 0; index < results.length; index++) {
    if (results[index] instanceof Promise) return settleInOrder(results);
  }
  return results as readonly T[];
}

async function settleInOrder<T>(results: readonly MaybePromise<T>[]): Promise<readonly T[]> {
  const outcomes = await Promise.allSettled(results);
  const values: T[] = [];
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected') throw outcome.reason;
    values.push(outcome.value as T);
  }
  return values;
}
