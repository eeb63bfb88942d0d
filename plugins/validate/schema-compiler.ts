import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { PluginLogger } from '@sluice/sdk';

// ajv-formats is CommonJS: Node's ESM loader hands over module.exports, which carries the plugin as `default`.
const addFormats = ajvFormats.default;

export interface SchemaOptions {
  readonly coerceTypes: boolean | 'array';
  readonly removeAdditional: boolean | 'all' | 'failing';
  readonly useDefaults: boolean | 'empty';
  readonly strict: boolean;
}

/** The schema does not compile (invalid schema, strict-mode violation, unresolvable `$ref`...). */
export class SchemaCompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaCompileError';
  }
}

/** Whether these options make ajv change the data it validates (then we validate a copy). */
export function changesData(options: SchemaOptions): boolean {
  return options.coerceTypes !== false || options.removeAdditional !== false || options.useDefaults !== false;
}

function ajvFor(schema: Record<string, unknown>, options: Options) {
  const draft = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (draft.includes('2020-12')) return new Ajv2020(options);
  if (draft.includes('2019-09')) return new Ajv2019(options);
  return new Ajv(options);
}

/**
 * Compiles a JSON Schema with ajv (all errors reported, formats checked). The draft follows
 * `$schema` (2019-09, 2020-12; draft-07 otherwise). Ajv's strict-mode notices go to `logger`
 * when given. Throws {@link SchemaCompileError}.
 */
export function compileSchema(schema: Record<string, unknown>, options: SchemaOptions, logger?: PluginLogger): ValidateFunction {
  const text = (args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : JSON.stringify(a))).join(' ');
  const ajv = ajvFor(schema, {
    allErrors: true,
    coerceTypes: options.coerceTypes,
    removeAdditional: options.removeAdditional,
    useDefaults: options.useDefaults,
    ...(options.strict ? {} : { strict: false }),
    logger: logger
      ? { log: (...args: unknown[]) => logger.debug(text(args)), warn: (...args: unknown[]) => logger.warn(`JSON Schema: ${text(args)}`), error: (...args: unknown[]) => logger.error(`JSON Schema: ${text(args)}`) }
      : false,
  });
  addFormats(ajv);
  try {
    return ajv.compile(schema);
  } catch (error) {
    throw new SchemaCompileError((error as Error).message);
  }
}

/** One ajv error as `<instancePath>: <message>` (`/` for the value itself), naming the offending property or allowed values. */
export function describeSchemaError(error: ErrorObject): string {
  const where = error.instancePath === '' ? '/' : error.instancePath;
  let message = error.message ?? `fails "${error.keyword}"`;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') message += ` ("${String(params.additionalProperty)}")`;
  else if (error.keyword === 'unevaluatedProperties') message += ` ("${String(params.unevaluatedProperty)}")`;
  else if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) message += `: ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  else if (error.keyword === 'const') message += ` ${JSON.stringify(params.allowedValue)}`;
  return `${where}: ${message}`;
}
