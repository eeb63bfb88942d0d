import { describe, expect, it } from '@jest/globals';
import jsonata from 'jsonata';
import { NotJsonError, toPlainJson } from './plain-json.js';

describe('toPlainJson', () => {
  it('turns JSONata sequences and prototype-less objects into plain arrays and objects', async () => {
    const raw = (await jsonata('{"skus": lines.sku}').evaluate({ lines: [{ sku: 'a' }, { sku: 'b' }] })) as { skus: unknown[] };
    expect(Object.getPrototypeOf(raw)).toBeNull();
    expect(Object.keys(raw.skus)).toContain('sequence');
    const plain = toPlainJson(raw) as { skus: unknown[] };
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect(Object.keys(plain.skus)).toEqual(['0', '1']);
    expect(plain).toStrictEqual({ skus: ['a', 'b'] });
  });

  it('leaves out undefined properties and keeps scalars', () => {
    expect(toPlainJson({ a: undefined, b: null, c: 'x', d: 1, e: false })).toStrictEqual({ b: null, c: 'x', d: 1, e: false });
    expect(toPlainJson(undefined)).toBeUndefined();
    expect(toPlainJson('s')).toBe('s');
  });

  it('keeps a "__proto__" key as data', () => {
    const input = JSON.parse('{"__proto__": {"x": 1}, "y": 2}') as object;
    const plain = toPlainJson(input) as Record<string, unknown>;
    expect(Object.keys(plain)).toEqual(['__proto__', 'y']);
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect((plain as { x?: unknown }).x).toBeUndefined();
  });

  it('rejects functions (JSONata built-ins and lambdas) with their JSON pointer', async () => {
    const builtin = await jsonata('{"a": [1, {"f": $uppercase}]}').evaluate({});
    expect(() => toPlainJson(builtin)).toThrow(new NotJsonError('/a/1/f', 'a function'));
    const lambda = await jsonata('{"l": function($x) { $x }}').evaluate({});
    expect(() => toPlainJson(lambda)).toThrow('the result holds a function at /l, which is not JSON data');
    expect(() => toPlainJson({ 'a/b': () => 1 })).toThrow('at /a~1b,');
  });

  it('keeps data that merely carries JSONata function flags', () => {
    expect(toPlainJson({ _jsonata_lambda: true, body: 1 })).toEqual({ _jsonata_lambda: true, body: 1 });
  });

  it('rejects NaN and infinite numbers', () => {
    expect(() => toPlainJson({ r: Number.POSITIVE_INFINITY })).toThrow('the result holds the number Infinity at /r, which is not JSON data');
    expect(() => toPlainJson([Number.NaN])).toThrow('the number NaN at /0');
    expect(() => toPlainJson(10n)).toThrow('a bigint at /');
  });
});
