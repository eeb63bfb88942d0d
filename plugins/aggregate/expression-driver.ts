import { ExpressionEvaluationError, invalidRecord, NEEDS_ASYNC, type JsonataExpression, type SluiceRecord } from '@sluice/sdk';

/** One expression evaluation a computation asks for; `name` is the config field it comes from. */
export interface EvaluationRequest {
  readonly name: string;
  readonly expression: JsonataExpression;
  readonly input: unknown;
}

/**
 * A computation over one record written once for both evaluators: it yields the evaluations it
 * needs and receives their results. {@link runComputation} drives it.
 */
export type Computation<T> = Generator<EvaluationRequest, T, unknown>;

/** An evaluation failed on the record: dead-letter it with the name of the failing expression. */
function failure(name: string, error: unknown): never {
  const cause = ExpressionEvaluationError.from(error);
  throw invalidRecord(`${name} failed: ${cause.message}`, { expression: name, ...cause.details });
}

/**
 * Runs a computation synchronously for as long as the fast evaluator answers, and switches to the
 * jsonata package (a promise) from the first evaluation it declines, without redoing the ones
 * already made. Evaluation errors become non-retryable record errors naming the expression.
 */
export function runComputation<T>(computation: Computation<T>, record: SluiceRecord): T | Promise<T> {
  let step = computation.next();
  while (!step.done) {
    const request = step.value;
    let result: unknown;
    try {
      result = request.expression.evaluateSync(request.input, record);
    } catch (error) {
      failure(request.name, error);
    }
    if (result === NEEDS_ASYNC) return finishAsync(computation, request, record);
    step = computation.next(result);
  }
  return step.value;
}

async function finishAsync<T>(computation: Computation<T>, pending: EvaluationRequest, record: SluiceRecord): Promise<T> {
  let request = pending;
  for (;;) {
    let result: unknown;
    try {
      result = await request.expression.evaluate(request.input, record);
    } catch (error) {
      failure(request.name, error);
    }
    const step = computation.next(result);
    if (step.done) return step.value;
    request = step.value;
  }
}
