import type { Fnv1a64 } from './identity-hash.js';

/**
 * Hashes the text of a dedupe identity into `hasher` (reset first) and returns true, or returns
 * false when there is no identity (undefined or null). The text is `s:` + the string for strings
 * and `j:` + the JSON text for other values, so `"1"` and `1` differ and objects compare by their
 * JSON text (key order matters). It is hashed in two parts, never built: the window remembers only
 * its 64-bit hash, however long it is.
 */
export function hashIdentity(value: unknown, hasher: Fnv1a64): boolean {
  if (value === undefined || value === null) return false;
  hasher.reset();
  if (typeof value === 'string') hasher.update('s:').update(value);
  // A function (a JSONata lambda) or a symbol has no JSON text: it reads as "undefined".
  else hasher.update('j:').update(JSON.stringify(value) ?? 'undefined');
  return true;
}
