// JSONata expressions for plugins (map, filter, dedupe, and any plugin with an expression field):
// compiled once, evaluated synchronously on the common subset and by the jsonata package otherwise.
export {
  JsonataExpression,
  ExpressionSyntaxError,
  ExpressionEvaluationError,
  NEEDS_ASYNC,
  DEFAULT_EVALUATION_TIMEOUT_MS,
  MAX_EVALUATION_DEPTH,
  type ExpressionOptions,
} from './jsonata-expression.js';
export { RECORD_VARIABLES, RECORD_AND_INPUT_VARIABLES, RECORD_VARIABLES_DOC, TIMEOUT_DOC } from './record-variables.js';
export { FAST_FUNCTIONS, type VariableReader } from './fast-evaluator.js';
export { isTruthy as jsonataTruthy } from './jsonata-semantics.js';
export { toPlainJson, NotJsonError } from './plain-json.js';
