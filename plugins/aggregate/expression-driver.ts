import { ExpressionEvaluationError, invalidRecord, runEvaluationSteps, type EvaluationSteps, type JsonataExpression, type MaybePromise, type SluiceRecord } from '@sluice/sdk';

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
export type Computation<T> = EvaluationSteps<T, EvaluationRequest>;

/** An evaluation failed on the record: dead-letter it with the name of the failing expression. */
function failure(error: unknown, request: EvaluationRequest): never {
  const cause = ExpressionEvaluationError.from(error);
  throw invalidRecord(`${request.name} failed: ${cause.message}`, { expression: request.name, ...cause.details });
}

/**
 * Runs a computation on the record: its result synchronously when every evaluation was answered
 * synchronously, a promise otherwise (see the SDK's `runEvaluationSteps`). Evaluation errors
 * become non-retryable record errors naming the expression.
 */
export function runComputation<T>(computation: Computation<T>, record: SluiceRecord): MaybePromise<T> {
  return runEvaluationSteps(computation, record, failure);
}
