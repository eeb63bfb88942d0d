import { ExpressionEvaluationError, JsonataExpression, NEEDS_ASYNC, jsonataTruthy as isTruthy, RECORD_VARIABLES } from '@sluice/sdk';
import { invalidRecord, type SluiceRecord, type Transform, type TransformOutput } from '@sluice/sdk';
import type { FilterConfig } from './filter.config.js';

function failure(error: unknown): never {
  const cause = ExpressionEvaluationError.from(error);
  throw invalidRecord(`condition failed: ${cause.message}`, { expression: 'condition', ...cause.details });
}

/** Keeps the records whose JSONata condition is truthy (JSONata's boolean casting); drops the rest. */
export class FilterTransform implements Transform {
  private readonly condition: JsonataExpression;

  constructor(config: FilterConfig) {
    this.condition = JsonataExpression.compile(config.condition, RECORD_VARIABLES, { timeoutMs: config.timeoutMs });
  }

  process(record: SluiceRecord): TransformOutput | Promise<TransformOutput> {
    let result: unknown;
    try {
      result = this.condition.evaluateSync(record.value, record);
    } catch (error) {
      failure(error);
    }
    if (result !== NEEDS_ASYNC) return isTruthy(result) ? record : null;
    return this.condition.evaluate(record.value, record).then((value) => (isTruthy(value) ? record : null), failure);
  }
}
