import { describe, expect, it } from '@jest/globals';
import { cloneJson } from './clone-json.js';

describe('cloneJson', () => {
  it('copies nested objects and arrays deeply', () => {
    const input = { a: [1, { b: 'x', c: [null, true] }], d: { e: 1.5 } };
    const copy = cloneJson(input);
    expect(copy).toStrictEqual(input);
    expect(copy).not.toBe(input);
    expect(copy.a).not.toBe(input.a);
    expect(copy.a[1]).not.toBe(input.a[1]);
    (copy.d as { e: number }).e = 2;
    expect(input.d.e).toBe(1.5);
  });

  it('returns scalars as they are', () => {
    expect([cloneJson('s'), cloneJson(1), cloneJson(null), cloneJson(false), cloneJson(undefined)]).toEqual(['s', 1, null, false, undefined]);
  });

  it('keeps a "__proto__" key as data', () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const copy = cloneJson(input);
    expect(Object.keys(copy)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});
