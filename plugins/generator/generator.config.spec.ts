import { describe, expect, it } from '@jest/globals';
import { describeConfig, runSource, validateConfig, type ConfigIssue } from '@sluice/sdk';
import generator from './index.js';
import { DEFAULT_FIELDS, GeneratorConfig } from './generator.config.js';

/** All issues the host would report for a raw generator config (decorators, then the plugin's own checks). */
function issuesOf(raw: unknown): ConfigIssue[] {
  const { config, issues } = validateConfig(GeneratorConfig, raw);
  return issues.length > 0 ? issues : (generator.validate?.(config, { configDir: process.cwd() }) ?? []);
}

function pathsOf(raw: unknown): string[] {
  return issuesOf(raw).map((issue) => issue.path);
}

describe('generator config', () => {
  it('accepts an empty config and fills in the documented defaults', () => {
    const { config, issues } = validateConfig(GeneratorConfig, {});
    expect(issues).toEqual([]);
    expect(config).toMatchObject({ seed: 42, rate: 0, batchSize: 1000, payloadBytes: 0, payloadField: 'payload' });
    expect(config.count).toBeUndefined();
    expect(config.fields).toEqual(DEFAULT_FIELDS);
    expect(issuesOf({})).toEqual([]);
  });

  it('documents every field with a description', () => {
    const docs = describeConfig(GeneratorConfig);
    expect(docs.map((d) => d.name).sort()).toEqual(['batchSize', 'count', 'fields', 'keyField', 'payloadBytes', 'payloadField', 'rate', 'seed'].sort());
    for (const doc of docs) expect(doc.description.length).toBeGreaterThan(20);
    const fieldDocs = docs.find((d) => d.name === 'fields')?.fields ?? [];
    expect(fieldDocs.map((d) => d.name)).toEqual(expect.arrayContaining(['type', 'min', 'max', 'values', 'length', 'nullRate']));
  });

  it.each([
    [{ rate: -1 }, 'rate'],
    [{ batchSize: 0 }, 'batchSize'],
    [{ batchSize: 1.5 }, 'batchSize'],
    [{ count: -3 }, 'count'],
    [{ seed: 'abc' }, 'seed'],
    [{ seed: 2 ** 32 }, 'seed'],
    [{ payloadBytes: -1 }, 'payloadBytes'],
    [{ fields: 'id' }, 'fields'],
    [{ colour: 'red' }, 'colour'],
  ])('rejects %j at path %s', (raw, path) => {
    expect(pathsOf(raw)).toContain(path);
  });

  it('suggests the closest name for a misspelt top-level field', () => {
    expect(issuesOf({ batchsize: 10 })).toContainEqual({ path: 'batchsize', message: 'unknown field (did you mean "batchSize"?)' });
  });

  it('rejects an unknown field type, with a suggestion, in both spellings', () => {
    const short = issuesOf({ fields: { id: 'uuidd' } });
    expect(short).toHaveLength(1);
    expect(short[0].path).toBe('fields.id');
    expect(short[0].message).toContain('did you mean "uuid"');
    const long = issuesOf({ fields: { amount: { type: 'flaot' } } });
    expect(long).toHaveLength(1);
    expect(long[0].path).toBe('fields.amount.type');
    expect(long[0].message).toContain('did you mean "float"');
  });

  it('rejects options that do not belong to the field type', () => {
    const issues = issuesOf({ fields: { qty: { type: 'int', min: 1, max: 5, length: 3 } } });
    expect(issues).toEqual([{ path: 'fields.qty.length', message: 'does not apply to type int (it takes: min, max)' }]);
  });

  it('rejects misspelt and mistyped options with their path', () => {
    expect(issuesOf({ fields: { note: { type: 'string', lenght: 3 } } })).toContainEqual({ path: 'fields.note.lenght', message: 'unknown field (did you mean "length"?)' });
    expect(pathsOf({ fields: { price: { type: 'float', decimals: -1 } } })).toEqual(['fields.price.decimals']);
    expect(pathsOf({ fields: { ok: { type: 'bool', probability: 2 } } })).toEqual(['fields.ok.probability']);
    expect(pathsOf({ fields: { at: { type: 'timestamp', from: 'yesterday' } } })).toEqual(['fields.at.from']);
    expect(pathsOf({ fields: { at: { type: 'timestamp', format: 'unix' } } })).toEqual(['fields.at.format']);
    expect(pathsOf({ fields: { c: { type: 'pick', values: [] } } })).toEqual(['fields.c.values']);
    expect(pathsOf({ fields: { c: { type: 'int', nullRate: 1.5 } } })).toEqual(['fields.c.nullRate']);
  });

  it('enforces the rules of each type', () => {
    expect(issuesOf({ fields: { n: { type: 'int', min: 10, max: 1 } } })).toEqual([{ path: 'fields.n.max', message: 'must be ≥ min (10)' }]);
    expect(pathsOf({ fields: { n: { type: 'int', min: 0.5 } } })).toEqual(['fields.n.min']);
    expect(pathsOf({ fields: { f: { type: 'float', min: 3, max: 2 } } })).toEqual(['fields.f.max']);
    expect(issuesOf({ fields: { c: { type: 'pick' } } })).toEqual([{ path: 'fields.c.values', message: 'is required for type pick' }]);
    expect(issuesOf({ fields: { c: { type: 'constant' } } })).toEqual([{ path: 'fields.c.value', message: 'is required for type constant' }]);
  });

  it('rejects a field that is neither a type name nor an object', () => {
    expect(pathsOf({ fields: { id: 5 } })).toEqual(['fields.id']);
    expect(pathsOf({ fields: { id: ['uuid'] } })).toEqual(['fields.id']);
    expect(issuesOf({ fields: {} })).toEqual([{ path: 'fields', message: 'must declare at least one field' }]);
  });

  it('requires keyField to name a field, and the padding field to be free', () => {
    expect(pathsOf({ fields: { id: 'uuid' }, keyField: 'user' })).toEqual(['keyField']);
    expect(pathsOf({ fields: { id: 'uuid', payload: 'uuid' }, payloadBytes: 100 })).toEqual(['payloadField']);
    expect(pathsOf({ fields: { id: 'uuid', payload: 'uuid' }, payloadBytes: 100, payloadField: 'pad' })).toEqual([]);
  });

  it('makes the harness refuse a bad config with the path in the message', async () => {
    await expect(runSource(generator, { fields: { n: { type: 'int', min: 10, max: 1 } } })).rejects.toThrow('fields.n.max: must be ≥ min (10)');
  });
});
