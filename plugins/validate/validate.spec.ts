import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { describeConfig, makeRecord, prepare, RecordError, runTransform, validateConfig, type PluginLogger, type SluiceRecord } from '@sluice/sdk';
import validate from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'schemas'));
writeFileSync(join(dir, 'schemas/order.yaml'), 'type: object\nrequired: [id]\nproperties:\n  id: {type: integer}\n  qty: {type: integer, default: 1}\n');
writeFileSync(join(dir, 'schemas/order.json'), JSON.stringify({ type: 'object', required: ['id'], properties: { id: { type: 'integer' } } }));
writeFileSync(join(dir, 'schemas/broken.yaml'), 'type: object\nproperties: [unclosed\n');
writeFileSync(join(dir, 'schemas/broken.json'), '{"type": "object",');
writeFileSync(join(dir, 'schemas/scalar.yaml'), 'just a string\n');
writeFileSync(join(dir, 'schemas/order.schema.yaml'), 'type: object\nproperties:\n  id: {type: integer}\n');
writeFileSync(join(dir, 'schemas/typo.json'), JSON.stringify({ type: 'object', requried: ['id'] }));

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

function record(value: unknown): SluiceRecord {
  return deepFreeze(makeRecord(value, { key: 'k', headers: { h: '1' }, timestamp: 9, origin: { pipeline: 'p', source: 'file', lane: 'a', offset: 1 } }));
}

/** What `sluice validate` reports: decorator issues first, then the plugin's own checks. */
function issuesOf(raw: unknown) {
  const { config, issues } = validateConfig(validate.config, raw);
  return issues.length > 0 ? issues : validate.validate!(config, { configDir: dir });
}

const orderSchema = {
  type: 'object',
  required: ['id', 'email'],
  additionalProperties: false,
  properties: {
    id: { type: 'integer', minimum: 1 },
    email: { type: 'string', format: 'email' },
    status: { enum: ['open', 'paid'] },
    version: { const: 2 },
    tags: { type: 'array', items: { type: 'string' } },
    placed_at: { type: 'string', format: 'date-time' },
  },
};

describe('validate: config validation', () => {
  it('needs exactly one of schema and schemaFile', () => {
    expect(issuesOf({})).toEqual([{ path: 'schema', message: 'set schema (the JSON Schema inline) or schemaFile (a path to it)' }]);
    expect(issuesOf({ schema: { type: 'object' }, schemaFile: 'schemas/order.json' })).toEqual([{ path: 'schemaFile', message: 'set either schema or schemaFile, not both' }]);
  });

  it('rejects wrong types, unknown option values and unknown fields with their path', () => {
    expect(issuesOf({ schema: 'object' })).toEqual([{ path: 'schema', message: 'must be an object' }]);
    expect(issuesOf({ schemaFile: '' })).toEqual([{ path: 'schemaFile', message: 'should not be empty' }]);
    expect(issuesOf({ schema: {}, coerceTypes: 'yes' })).toEqual([{ path: 'coerceTypes', message: 'must be one of the following values: false, true, array' }]);
    expect(issuesOf({ schema: {}, removeAdditional: 'some' })).toEqual([{ path: 'removeAdditional', message: 'must be one of the following values: false, true, all, failing' }]);
    expect(issuesOf({ schema: {}, useDefaults: 1 })).toEqual([{ path: 'useDefaults', message: 'must be one of the following values: false, true, empty' }]);
    expect(issuesOf({ schema: {}, strict: 'no' })).toEqual([{ path: 'strict', message: 'must be a boolean value' }]);
    expect(issuesOf({ schema: {}, coerce: true })).toEqual([{ path: 'coerce', message: 'unknown field' }]);
  });

  it('reports an inline schema that does not compile', () => {
    expect(issuesOf({ schema: { type: 'strin' } })).toEqual([
      { path: 'schema', message: expect.stringMatching(/^the JSON Schema does not compile: schema is invalid: data\/type must be equal to one of the allowed values/) },
    ]);
    expect(issuesOf({ schema: { $ref: 'https://example.com/other.json' } })).toEqual([
      { path: 'schema', message: "the JSON Schema does not compile: can't resolve reference https://example.com/other.json from id #" },
    ]);
  });

  it('catches unknown keywords (typos) in strict mode, and accepts them with strict: false', () => {
    expect(issuesOf({ schemaFile: 'schemas/typo.json' })).toEqual([{ path: 'schemaFile', message: 'the JSON Schema does not compile: strict mode: unknown keyword: "requried"' }]);
    expect(issuesOf({ schemaFile: 'schemas/typo.json', strict: false })).toEqual([]);
  });

  it('reports schema files that are missing, unreadable, malformed or not a schema object', () => {
    expect(issuesOf({ schemaFile: 'schemas/nope.yaml' })).toEqual([{ path: 'schemaFile', message: `file not found: ${join(dir, 'schemas/nope.yaml')}` }]);
    expect(issuesOf({ schemaFile: 'schemas' })).toEqual([{ path: 'schemaFile', message: expect.stringContaining(`cannot read ${join(dir, 'schemas')}: EISDIR`) }]);
    expect(issuesOf({ schemaFile: 'schemas/broken.yaml' })).toEqual([{ path: 'schemaFile', message: expect.stringContaining(`cannot parse ${join(dir, 'schemas/broken.yaml')} as YAML:`) }]);
    expect(issuesOf({ schemaFile: 'schemas/broken.json' })).toEqual([{ path: 'schemaFile', message: expect.stringContaining(`cannot parse ${join(dir, 'schemas/broken.json')} as JSON:`) }]);
    expect(issuesOf({ schemaFile: 'schemas/scalar.yaml' })).toEqual([{ path: 'schemaFile', message: `${join(dir, 'schemas/scalar.yaml')} must hold a JSON Schema object, found a string` }]);
  });

  it('accepts valid schemas inline and in JSON or YAML files', () => {
    expect(issuesOf({ schema: orderSchema })).toEqual([]);
    expect(issuesOf({ schemaFile: 'schemas/order.json' })).toEqual([]);
    expect(issuesOf({ schemaFile: join(dir, 'schemas/order.yaml') })).toEqual([]);
  });
});

describe('validate: checking records', () => {
  const good = { id: 1, email: 'ada@example.com', status: 'paid', tags: ['a'], placed_at: '2024-05-01T12:00:00Z' };

  it('passes valid records on unchanged (the same record)', async () => {
    const input = record(good);
    const { outputs, deadLetters } = await runTransform(validate, { schema: orderSchema }, [input]);
    expect(deadLetters).toEqual([]);
    expect(outputs[0]).toBe(input);
  });

  it('dead-letters invalid records, listing every error as <instancePath>: <message>', async () => {
    const bad = record({ id: 0, email: 'not-an-email', status: 'lost', version: 3, tags: ['a', 5], extra: true });
    const { outputs, deadLetters } = await runTransform(validate, { schema: orderSchema }, [bad, record(good)]);
    expect(outputs).toHaveLength(1);
    expect(deadLetters).toEqual([
      {
        record: bad,
        error:
          'does not match the JSON Schema: /: must NOT have additional properties ("extra"); /id: must be >= 1; /email: must match format "email"; ' +
          '/status: must be equal to one of the allowed values: "open", "paid"; /version: must be equal to constant 2; /tags/1: must be string',
        retryable: false,
      },
    ]);
  });

  it('reports missing properties at the object holding them, and attaches the ajv errors as details', () => {
    const { config, context } = prepare(validate, { schema: orderSchema });
    const transform = validate.create(config, context);
    let thrown: unknown;
    try {
      transform.process(record({ tags: [] }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RecordError);
    expect((thrown as RecordError).message).toBe("does not match the JSON Schema: /: must have required property 'id'; /: must have required property 'email'");
    expect((thrown as RecordError).retryable).toBe(false);
    expect((thrown as RecordError).details).toEqual([
      expect.objectContaining({ instancePath: '', keyword: 'required', params: { missingProperty: 'id' }, schemaPath: '#/required' }),
      expect.objectContaining({ instancePath: '', keyword: 'required', params: { missingProperty: 'email' } }),
    ]);
  });

  it('validates non-object values too', async () => {
    const { outputs, deadLetters } = await runTransform(validate, { schema: { type: 'string', format: 'uuid' } }, [record('7f1c2a4e-4d1b-4c55-9b0e-3a2f6f3c1d2e'), record('nope'), record(null)]);
    expect(outputs).toHaveLength(1);
    expect(deadLetters.map((d) => d.error)).toEqual(['does not match the JSON Schema: /: must match format "uuid"', 'does not match the JSON Schema: /: must be string']);
  });

  it('reads the schema from a YAML file relative to the config folder', async () => {
    const { outputs, deadLetters } = await runTransform(validate, { schemaFile: 'schemas/order.yaml' }, [record({ id: 1 }), record({ id: 'x' })], { context: { configDir: dir } });
    expect(outputs.map((o) => o.value)).toEqual([{ id: 1 }]);
    expect(deadLetters.map((d) => d.error)).toEqual(['does not match the JSON Schema: /id: must be integer']);
  });

  it('follows $schema to draft 2020-12 and 2019-09 keywords', async () => {
    const tuple = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }], items: false };
    const result = await runTransform(validate, { schema: tuple }, [record(['a', 1]), record([1, 'a']), record(['a', 1, 2])]);
    expect(result.outputs).toHaveLength(1);
    expect(result.deadLetters.map((d) => d.error)).toEqual([
      'does not match the JSON Schema: /0: must be string; /1: must be integer',
      'does not match the JSON Schema: /: must NOT have more than 2 items',
    ]);
    const closed = { $schema: 'https://json-schema.org/draft/2019-09/schema', type: 'object', properties: { a: {} }, unevaluatedProperties: false };
    const r2019 = await runTransform(validate, { schema: closed }, [record({ a: 1, b: 2 })]);
    expect(r2019.deadLetters.map((d) => d.error)).toEqual(['does not match the JSON Schema: /: must NOT have unevaluated properties ("b")']);
  });

  it('sends strict-mode notices about the schema to the plugin logger', async () => {
    const warnings: string[] = [];
    const logger: PluginLogger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (...args: unknown[]) => void warnings.push(String(args.at(-1))) };
    await runTransform(validate, { schema: { type: 'object', properties: { email: { format: 'email' } } } }, [], { context: { logger } });
    expect(warnings).toEqual(['JSON Schema: strict mode: missing type "number,string" for keyword "format" at "#/properties/email" (strictTypes)']);
  });
});

describe('validate: options that change the data pass on a changed copy', () => {
  it('coerces types (coerceTypes) without touching the input record', async () => {
    const input = record({ id: '42', active: 'true', note: 7 });
    const schema = { type: 'object', properties: { id: { type: 'integer' }, active: { type: 'boolean' }, note: { type: 'string' } } };
    const { outputs, deadLetters } = await runTransform(validate, { schema, coerceTypes: true }, [input, record({ id: 'x' })]);
    expect(outputs.map((o) => o.value)).toEqual([{ id: 42, active: true, note: '7' }]);
    expect(input.value).toEqual({ id: '42', active: 'true', note: 7 });
    expect(outputs[0]).toMatchObject({ key: 'k', headers: { h: '1' }, timestamp: 9 });
    expect(deadLetters.map((d) => d.error)).toEqual(['does not match the JSON Schema: /id: must be integer']);
  });

  it('coerces the value itself, and wraps scalars into arrays with coerceTypes: array', async () => {
    const root = await runTransform(validate, { schema: { type: 'number' }, coerceTypes: true }, [record('5')]);
    expect(root.outputs[0]!.value).toBe(5);
    const wrapped = await runTransform(validate, { schema: { type: 'object', properties: { tags: { type: 'array', items: { type: 'string' } } } }, coerceTypes: 'array' }, [record({ tags: 'one' })]);
    expect(wrapped.outputs[0]!.value).toEqual({ tags: ['one'] });
  });

  it('fills in defaults (useDefaults), `empty` also replacing null and ""', async () => {
    const schema = { type: 'object', properties: { qty: { type: 'integer', default: 1 }, unit: { type: ['string', 'null'], default: 'pcs' } } };
    const plain = await runTransform(validate, { schema, useDefaults: true }, [record({ unit: null })]);
    expect(plain.outputs[0]!.value).toEqual({ qty: 1, unit: null });
    const empty = await runTransform(validate, { schema, useDefaults: 'empty' }, [record({ unit: null })]);
    expect(empty.outputs[0]!.value).toEqual({ qty: 1, unit: 'pcs' });
    const fromFile = await runTransform(validate, { schemaFile: 'schemas/order.yaml', useDefaults: true }, [record({ id: 3 })], { context: { configDir: dir } });
    expect(fromFile.outputs[0]!.value).toEqual({ id: 3, qty: 1 });
  });

  it('prunes properties the schema does not allow (removeAdditional)', async () => {
    const schema = { type: 'object', properties: { id: { type: 'integer' }, nested: { type: 'object', properties: { a: {} }, additionalProperties: false } }, additionalProperties: false };
    const input = record({ id: 1, junk: true, nested: { a: 1, b: 2 } });
    const { outputs } = await runTransform(validate, { schema, removeAdditional: true }, [input]);
    expect(outputs[0]!.value).toEqual({ id: 1, nested: { a: 1 } });
    expect(input.value).toEqual({ id: 1, junk: true, nested: { a: 1, b: 2 } });
    const all = await runTransform(validate, { schema: { type: 'object', properties: { id: {} } }, removeAdditional: 'all' }, [record({ id: 1, x: 2 })]);
    expect(all.outputs[0]!.value).toEqual({ id: 1 });
  });

  it('dead-letters the original record when the copy fails', async () => {
    const input = record({ id: 'x', extra: 1 });
    const { deadLetters } = await runTransform(validate, { schema: { type: 'object', properties: { id: { type: 'integer' } }, additionalProperties: false }, removeAdditional: true, coerceTypes: true }, [input]);
    expect(deadLetters[0]!.record).toBe(input);
    expect(input.value).toEqual({ id: 'x', extra: 1 });
  });
});

describe('validate: documentation', () => {
  it('describes every config field in real sentences', () => {
    const fields = describeConfig(validate.config);
    expect(fields.length).toBeGreaterThan(0);
    for (const field of fields) expect({ field: field.name, long: field.description.length > 40 }).toEqual({ field: field.name, long: true });
  });

  it('ships examples that are valid configs', () => {
    expect(validate.examples?.length).toBeGreaterThan(1);
    for (const example of validate.examples ?? []) expect({ title: example.title, issues: issuesOf(example.config) }).toEqual({ title: example.title, issues: [] });
  });
});
