import { describe, expect, it, jest } from '@jest/globals';
import { makeRecord } from '../testing/make-record.js';
import { allEvaluated, whenEvaluated } from './expression-result.js';
import { ExpressionEvaluationError, JsonataExpression } from './jsonata-expression.js';
import { RECORD_VARIABLES } from './record-variables.js';

const record = makeRecord({ a: 1, b: 'x', list: [1, 2] }, { key: 'k' });
const fast = JsonataExpression.compile('a + 1', RECORD_VARIABLES);
const slow = JsonataExpression.compile('$sum(list)', RECORD_VARIABLES);
const failing = JsonataExpression.compile('b + 1', RECORD_VARIABLES);

describe('whenEvaluated', () => {
  it('continues synchronously with a result that is there, without a promise', () => {
    const next = jest.fn((value: unknown) => `got ${String(value)}`);
    expect(whenEvaluated(fast.evaluate(record.value, record), next)).toBe('got 2');
    expect(next).toHaveBeenCalledTimes(1);
  });

  it('continues after the promise when jsonata evaluates', async () => {
    const outcome = whenEvaluated(slow.evaluate(record.value, record), (value) => `got ${String(value)}`);
    expect(outcome).toBeInstanceOf(Promise);
    await expect(outcome).resolves.toBe('got 3');
  });

  it('hands a failed evaluation to onError, or rejects with it without onError', async () => {
    await expect(whenEvaluated(failing.evaluate(record.value, record), () => 'kept', (error) => `recovered from ${(error as Error).name}`)).resolves.toBe(
      'recovered from ExpressionEvaluationError',
    );
    await expect(whenEvaluated(failing.evaluate(record.value, record), () => 'kept')).rejects.toBeInstanceOf(ExpressionEvaluationError);
  });

  it('lets errors thrown by next propagate synchronously, not through onError', () => {
    const onError = jest.fn(() => 'recovered');
    const attempt = () =>
      whenEvaluated(
        fast.evaluate(record.value, record),
        () => {
          throw new Error('bad result');
        },
        onError,
      );
    expect(attempt).toThrow('bad result');
    expect(onError).not.toHaveBeenCalled();
  });
});

describe('allEvaluated', () => {
  it('returns the very array, synchronously, when every result is there', () => {
    const results = [fast.evaluate(record.value, record), fast.evaluate({ a: 10 }, record)];
    expect(allEvaluated(results)).toBe(results);
    expect(allEvaluated(results)).toEqual([2, 11]);
    expect(allEvaluated([])).toEqual([]);
  });

  it('resolves to the values in order when some need jsonata', async () => {
    const combined = allEvaluated([slow.evaluate(record.value, record), fast.evaluate(record.value, record), slow.evaluate({ list: [5] }, record)]);
    expect(combined).toBeInstanceOf(Promise);
    await expect(combined).resolves.toEqual([3, 2, 5]);
  });

  it('rejects with the first failure in array order, whichever failed first in time', async () => {
    const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('first in order')), 20));
    const early = Promise.reject(new Error('first in time'));
    await expect(allEvaluated<unknown>([1, late, early])).rejects.toThrow('first in order');
  });
});
