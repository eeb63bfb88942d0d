import type { VariableReader } from './fast-evaluator.js';

/**
 * The `$variables` every Sluice JSONata expression sees besides `$` (the value it is evaluated
 * on): the envelope of the record being processed.
 */
export const RECORD_VARIABLES: ReadonlyMap<string, VariableReader> = new Map<string, VariableReader>([
  ['key', (record) => record.key],
  ['headers', (record) => record.headers],
  ['timestamp', (record) => record.timestamp],
  ['origin', (record) => record.origin],
]);

/** Record variables plus `$input`: the record's value, for expressions evaluated on something else. */
export const RECORD_AND_INPUT_VARIABLES: ReadonlyMap<string, VariableReader> = new Map<string, VariableReader>([
  ...RECORD_VARIABLES,
  ['input', (record) => record.value],
]);

/** Documentation of the record variables, for config field descriptions. */
export const RECORD_VARIABLES_DOC =
  'Bindings: `$` is the record value, `$key` the record key (string or null), `$headers` its headers (an object of strings; quote dotted names: `$headers."sluice.file"`), `$timestamp` its event time (epoch ms) and `$origin` where it came from (`{pipeline, source, lane?, offset?}`).';

/** Documentation of the `timeoutMs` field of the plugins evaluating JSONata. */
export const TIMEOUT_DOC =
  'Upper bound, in milliseconds, of the time one record may spend in a JSONata expression evaluated by the jsonata package (expressions outside the fast subset: recursive functions, higher-order functions...). A record exceeding it is sent to the dead-letter destination (error D1012); it stops runaway loops, which would otherwise stall the pipeline. The fast subset is never bounded: it cannot loop.';
