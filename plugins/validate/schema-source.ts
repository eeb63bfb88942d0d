import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** A problem getting the schema, with the config field it concerns. */
export class SchemaSourceError extends Error {
  constructor(
    readonly path: 'schema' | 'schemaFile',
    message: string,
  ) {
    super(message);
    this.name = 'SchemaSourceError';
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Reads and parses a schema file: JSON for `.json`, YAML (a superset of JSON) otherwise. */
function readSchemaFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SchemaSourceError('schemaFile', code === 'ENOENT' ? `file not found: ${file}` : `cannot read ${file}: ${(error as Error).message}`);
  }
  const json = extname(file).toLowerCase() === '.json';
  try {
    return json ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new SchemaSourceError('schemaFile', `cannot parse ${file} as ${json ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
}

/**
 * The schema a config names: the inline `schema`, or the content of `schemaFile` resolved against
 * `configDir`. Throws {@link SchemaSourceError} when neither or both are set, or the file is
 * missing, unreadable, malformed or not a schema object.
 */
export function loadSchema(config: { readonly schema?: object; readonly schemaFile?: string }, configDir: string): Record<string, unknown> {
  if (config.schema !== undefined && config.schemaFile !== undefined) throw new SchemaSourceError('schemaFile', 'set either schema or schemaFile, not both');
  if (config.schema !== undefined) return config.schema as Record<string, unknown>;
  if (config.schemaFile === undefined) throw new SchemaSourceError('schema', 'set schema (the JSON Schema inline) or schemaFile (a path to it)');
  const file = resolve(configDir, config.schemaFile);
  const schema = readSchemaFile(file);
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new SchemaSourceError('schemaFile', `${file} must hold a JSON Schema object, found ${describe(schema)}`);
  }
  return schema as Record<string, unknown>;
}
