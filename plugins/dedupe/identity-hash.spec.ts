import { describe, expect, it } from '@jest/globals';
import { Fnv1a64 } from './identity-hash.js';

const hexOf = ({ hi, lo }: Fnv1a64) => hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
const hex = (text: string) => hexOf(new Fnv1a64().update(text));

/** FNV-1a 64 one UTF-16 code unit at a time, in BigInt arithmetic: the definition. */
function reference(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) hash = ((hash ^ BigInt(text.charCodeAt(i))) * 0x100000001b3n) & 0xffffffffffffffffn;
  return hash.toString(16).padStart(16, '0');
}

describe('dedupe: FNV-1a 64 identity hash', () => {
  it('gives the published FNV-1a 64 values for ASCII text', () => {
    expect(hex('')).toBe('cbf29ce484222325');
    expect(hex('a')).toBe('af63dc4c8601ec8c');
    expect(hex('foobar')).toBe('85944171f73967e8');
  });

  it('matches the BigInt definition for any code unit, surrogates included', () => {
    let seed = 7;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let n = 0; n < 200; n++) {
      const text = String.fromCharCode(...Array.from({ length: random() % 40 }, () => random() & 0xffff)) + '€😀é';
      expect(hex(text)).toBe(reference(text));
    }
  });

  it('hashes successive updates as their concatenation, and starts over on reset', () => {
    const hasher = new Fnv1a64();
    expect(hexOf(hasher.update('foo').update('').update('bar'))).toBe(hex('foobar'));
    expect(hexOf(hasher.reset().update('a'))).toBe('af63dc4c8601ec8c');
    expect(hexOf(hasher.reset())).toBe('cbf29ce484222325');
    expect([hasher.update('a').hi, hasher.lo]).toEqual([0xaf63dc4c, 0x8601ec8c]);
  });
});
