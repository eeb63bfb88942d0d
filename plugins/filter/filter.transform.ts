import { ExpressionEvaluationError, JsonataExpression, jsonataTruthy as isTruthy, RECORD_VARIABLES, whenEvaluated } from '@sluice/sdk';
import { invalidRecord, type SluiceRecord, type Transform, type TransformOutput } from '@sluice/sdk';
import type { FilterConfig } from './filter.config.js';

function failure(error: unknown): never {
  const cause = ExpressionEvaluationError.from(error);
  throw invalidRecord(`condition failed: ${cause.message}`, { expression: 'condition', ...cause.details });
}

/**
 * Keeps the records whose JSONata condition is truthy (JSONata's boolean casting); drops the rest.
 * Synchronous when the condition's result is (the fast evaluator answered), a promise otherwise.
 */
export class FilterTransform implements Transform {
  private readonly condition: JsonataExpression;

  constructor(config: FilterConfig) {
    this.condition = JsonataExpression.compile(config.condition, RECORD_VARIABLES, { timeoutMs: config.timeoutMs });
  }

  process(record: SluiceRecord): TransformOutput | Promise<TransformOutput> {
    return whenEvaluated(this.condition.evaluate(record.value, record), (result) => (isTruthy(result) ? record : null), failure);
  }
}
