import { describe, expect, it, jest } from '@jest/globals';
import { makeRecord } from '../testing/make-record.js';
import { runEvaluationSteps, type EvaluationRequest, type EvaluationSteps } from './evaluation-steps.js';
import { ExpressionEvaluationError, JsonataExpression } from './jsonata-expression.js';
import { RECORD_VARIABLES } from './record-variables.js';

const record = makeRecord({ lines: [{ qty: 2 }, { qty: 3 }, { qty: 'x' }] });
const lines = JsonataExpression.compile('lines', RECORD_VARIABLES);
const fastQty = JsonataExpression.compile('qty * 1', RECORD_VARIABLES);
const slowQty = JsonataExpression.compile('$sum([qty])', RECORD_VARIABLES);

interface NamedRequest extends EvaluationRequest {
  readonly name: string;
}

/** Sums `qty` over the first `count` lines, evaluating `qty` with `each`; records what it asked for. */
function* total(each: JsonataExpression, count: number, asked: string[]): EvaluationSteps<number, NamedRequest> {
  const list = (yield { name: 'lines', expression: lines, input: record.value }) as unknown[];
  asked.push('lines');
  let sum = 0;
  for (let index = 0; index < count; index++) {
    sum += (yield { name: `qty.${index}`, expression: each, input: list[index] }) as number;
    asked.push(`qty.${index}`);
  }
  return sum;
}

describe('runEvaluationSteps', () => {
  it('returns the result synchronously when every evaluation is answered synchronously', () => {
    const asked: string[] = [];
    expect(runEvaluationSteps(total(fastQty, 2, asked), record)).toBe(5);
    expect(asked).toEqual(['lines', 'qty.0', 'qty.1']);
  });

  it('switches to a promise at the first evaluation jsonata must make, without redoing earlier ones', async () => {
    const asked: string[] = [];
    const evaluate = jest.spyOn(lines, 'evaluate');
    const outcome = runEvaluationSteps(total(slowQty, 2, asked), record);
    expect(outcome).toBeInstanceOf(Promise);
    await expect(outcome).resolves.toBe(5);
    expect(asked).toEqual(['lines', 'qty.0', 'qty.1']);
    expect(evaluate).toHaveBeenCalledTimes(1);
    evaluate.mockRestore();
  });

  it('runs any number of evaluations in a loop, synchronous or not', async () => {
    const many = makeRecord({ n: 1 });
    const one = JsonataExpression.compile('n', RECORD_VARIABLES);
    function* sum(count: number, expression: JsonataExpression): EvaluationSteps<number> {
      let total = 0;
      for (let index = 0; index < count; index++) total += (yield { expression, input: many.value }) as number;
      return total;
    }
    expect(runEvaluationSteps(sum(200_000, one), many)).toBe(200_000);
    await expect(runEvaluationSteps(sum(2_000, JsonataExpression.compile('$sum([n])', RECORD_VARIABLES)), many)).resolves.toBe(2_000);
  });

  it('hands a failed evaluation to onError with its request, and does not resume the computation', async () => {
    const asked: string[] = [];
    const onError = (error: unknown, request: NamedRequest): never => {
      throw new Error(`${request.name} failed: ${(error as Error).message}`);
    };
    await expect(runEvaluationSteps(total(fastQty, 3, asked), record, onError)).rejects.toThrow(/^qty\.2 failed: The left side of the "\*" operator must evaluate to a number/);
    expect(asked).toEqual(['lines', 'qty.0', 'qty.1']);
    await expect(runEvaluationSteps(total(slowQty, 3, []), record)).rejects.toBeInstanceOf(ExpressionEvaluationError);
  });

  it('lets errors of the computation itself propagate synchronously', () => {
    function* refuses(): EvaluationSteps<number> {
      const list = yield { expression: lines, input: record.value };
      if (Array.isArray(list)) throw new Error('no lists here');
      return 0;
    }
    expect(() => runEvaluationSteps(refuses(), record)).toThrow('no lists here');
  });
});
