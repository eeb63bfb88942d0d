import type { SluiceRecord } from '../record.js';
import type { ExpressionResult, MaybePromise } from './expression-result.js';
import type { JsonataExpression } from './jsonata-expression.js';

/** One evaluation a step-by-step computation asks for: `expression` evaluated on `input`. */
export interface EvaluationRequest {
  readonly expression: JsonataExpression;
  readonly input: unknown;
}

/**
 * A computation over one record whose evaluations depend on earlier results (evaluate a list,
 * then an expression per element...), written once as a generator: it yields the evaluations it
 * needs (an {@link EvaluationRequest}, or any extension of it naming the expression, for error
 * messages) and receives their results. {@link runEvaluationSteps} drives it.
 *
 * ```ts
 * *total(record: SluiceRecord): EvaluationSteps<number> {  // a method of the plugin's transform
 *   const lines = yield { expression: this.lines, input: record.value };
 *   let sum = 0;
 *   for (const line of asArray(lines)) sum += Number(yield { expression: this.amount, input: line });
 *   return sum;
 * }
 * ```
 */
export type EvaluationSteps<T, R extends EvaluationRequest = EvaluationRequest> = Generator<R, T, ExpressionResult>;

/**
 * Runs a step-by-step computation on `record`: synchronously (its result, no promise) for as long
 * as the evaluations it asks for are answered synchronously, and, from the first one that is not,
 * asynchronously (a promise) without redoing the evaluations already made. It is a loop, not a
 * chain of callbacks: a computation may ask for any number of evaluations.
 *
 * A failed evaluation goes to `onError` with the request that failed (to name the expression in
 * the error; what it throws rejects the promise), or rejects it as it is without `onError`. The
 * generator is not resumed after a failure. Errors the generator itself throws propagate as they
 * are: synchronously while it runs synchronously.
 */
export function runEvaluationSteps<T, R extends EvaluationRequest>(steps: EvaluationSteps<T, R>, record: SluiceRecord, onError?: (error: unknown, request: R) => never): MaybePromise<T> {
  let step = steps.next();
  while (!step.done) {
    const request = step.value;
    const result = request.expression.evaluate(request.input, record);
    if (result instanceof Promise) return finishAsynchronously(steps, request, result, record, onError);
    step = steps.next(result);
  }
  return step.value;
}

async function finishAsynchronously<T, R extends EvaluationRequest>(
  steps: EvaluationSteps<T, R>,
  pending: R,
  pendingResult: Promise<ExpressionResult>,
  record: SluiceRecord,
  onError: ((error: unknown, request: R) => never) | undefined,
): Promise<T> {
  let request = pending;
  let evaluation: MaybePromise<ExpressionResult> = pendingResult;
  for (;;) {
    let result: ExpressionResult;
    try {
      result = await evaluation;
    } catch (error) {
      if (onError) onError(error, request);
      throw error;
    }
    const step = steps.next(result);
    if (step.done) return step.value;
    request = step.value;
    evaluation = request.expression.evaluate(request.input, record);
  }
}
