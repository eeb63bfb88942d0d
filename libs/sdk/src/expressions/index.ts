// JSONata expressions for plugins (map, filter, dedupe, and any plugin with an expression field):
// compiled once, evaluated synchronously on the common subset and by the jsonata package otherwise.
// `JsonataExpression.evaluate` returns the result, or a promise of it when the jsonata package had
// to evaluate; `whenEvaluated`, `allEvaluated` and `runEvaluationSteps` compose results without
// knowing which evaluator answered, and without a promise when none was needed.
export {
  JsonataExpression,
  ExpressionSyntaxError,
  ExpressionEvaluationError,
  DEFAULT_EVALUATION_TIMEOUT_MS,
  MAX_EVALUATION_DEPTH,
  type ExpressionOptions,
} from './jsonata-expression.js';
export { whenEvaluated, allEvaluated, type ExpressionResult, type MaybePromise } from './expression-result.js';
export { runEvaluationSteps, type EvaluationRequest, type EvaluationSteps } from './evaluation-steps.js';
export { RECORD_VARIABLES, RECORD_AND_INPUT_VARIABLES, RECORD_VARIABLES_DOC, TIMEOUT_DOC } from './record-variables.js';
export { FAST_FUNCTIONS, type VariableReader } from './fast-evaluator.js';
export { isTruthy as jsonataTruthy } from './jsonata-semantics.js';
export { toPlainJson, NotJsonError } from './plain-json.js';
