import { ExpressionEvaluationError, invalidRecord, JsonataExpression, jsonataTruthy, RECORD_VARIABLES, type SluiceRecord } from '@sluice/sdk';

/** A route's `when`, compiled once: which records the route takes. */
export class RouteCondition {
  private readonly expression: JsonataExpression | undefined;

  constructor(
    private readonly route: string,
    when: string | undefined,
  ) {
    this.expression = when === undefined ? undefined : JsonataExpression.compile(when, RECORD_VARIABLES);
  }

  /**
   * Whether the route takes `record`: its condition holds (any record, without one). A condition
   * that cannot be evaluated on the record fails it for good: retrying bad data gives the same error.
   */
  async takes(record: SluiceRecord): Promise<boolean> {
    if (!this.expression) return true;
    try {
      return jsonataTruthy(await this.expression.evaluate(record.value, record));
    } catch (error) {
      const cause = ExpressionEvaluationError.from(error);
      throw invalidRecord(`route "${this.route}": condition (when) failed: ${cause.message}`, { route: this.route, ...cause.details });
    }
  }
}
