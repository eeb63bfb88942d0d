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
