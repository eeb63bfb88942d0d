// JSONata's value rules (jsonata 2.x, `functions.js` / `utils.js`), restated for plain JSON data.
// The fast evaluator and the filter's truthiness use them, so they must say exactly what JSONata
// says; `fast-evaluator.spec.ts` checks them against the jsonata package itself.

/**
 * Thrown by the fast evaluator when a value falls outside what it mirrors exactly (a type error
 * JSONata would report, an infinite number...). The caller then evaluates the record with the
 * jsonata package, which produces the genuine result or error.
 */
export const DECLINE: unique symbol = Symbol('jsonata.fast-path.decline');

export function decline(): never {
  throw DECLINE;
}

/** JSONata treats objects flagged as its own functions as functions, even when they come from data. */
export function isFunctionLike(value: unknown): boolean {
  if (typeof value === 'function') return true;
  if (typeof value !== 'object' || value === null) return false;
  const flagged = value as { _jsonata_function?: unknown; _jsonata_lambda?: unknown };
  return flagged._jsonata_function === true || flagged._jsonata_lambda === true;
}

/** JSONata's `isNumeric`: a number that is not NaN; an infinite number is an error (D1001). */
export function isNumeric(value: unknown): value is number {
  if (typeof value !== 'number' || Number.isNaN(value)) return false;
  if (!Number.isFinite(value)) decline();
  return true;
}

/**
 * JSONata's effective boolean value (`$boolean()`, conditions, `and`/`or`): `undefined` stays
 * undefined; strings are true when not empty, numbers when not 0, objects when they have a key,
 * arrays when any member is true (a one-member array counts as that member); `null`, `false` and
 * functions are false.
 */
export function jsonataBoolean(value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.length === 1) return jsonataBoolean(value[0]);
    // Every member is cast (as JSONata does), so an error in any of them is not skipped.
    return value.length > 1 && value.filter((member) => jsonataBoolean(member)).length > 0;
  }
  if (typeof value === 'string') return value.length > 0;
  if (isNumeric(value)) return value !== 0;
  if (value !== null && typeof value === 'object' && !isFunctionLike(value)) return Object.keys(value).length > 0;
  return value === true;
}

/** `jsonataBoolean` where undefined counts as false (what `and`, `or` and filters use). */
export function isTruthy(value: unknown): boolean {
  return jsonataBoolean(value) === true;
}

function stringifyReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return value;
    if (!Number.isFinite(value)) decline();
    return Number.isInteger(value) ? value : Number(value.toPrecision(15));
  }
  return value && isFunctionLike(value) ? '' : value;
}

/** JSONata's `$string()` (also what `&` applies to both sides). Declines on infinite numbers. */
export function jsonataString(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (isFunctionLike(value)) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) decline();
    // What JSON.stringify gives for a finite number, after JSONata's 15-digit rounding.
    return String(Number.isInteger(value) ? value : Number(value.toPrecision(15)));
  }
  if (typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value, stringifyReplacer);
}

/** JSONata's deep equality behind `=` and `!=`. Declines when an array meets a non-array object. */
export function jsonataDeepEqual(lhs: unknown, rhs: unknown): boolean {
  if (lhs === rhs) return true;
  if (typeof lhs !== 'object' || typeof rhs !== 'object' || lhs === null || rhs === null) return false;
  const lhsArray = Array.isArray(lhs);
  const rhsArray = Array.isArray(rhs);
  if (lhsArray && rhsArray) {
    if (lhs.length !== rhs.length) return false;
    for (let i = 0; i < lhs.length; i++) if (!jsonataDeepEqual(lhs[i], rhs[i])) return false;
    return true;
  }
  // JSONata compares an array with an object through their own property names (with `length` and
  // its sequence marker): an odd case we leave to it.
  if (lhsArray || rhsArray) decline();
  const lkeys = Object.getOwnPropertyNames(lhs).sort();
  const rkeys = Object.getOwnPropertyNames(rhs).sort();
  if (lkeys.length !== rkeys.length) return false;
  for (let i = 0; i < lkeys.length; i++) if (lkeys[i] !== rkeys[i]) return false;
  for (const key of lkeys) {
    if (!jsonataDeepEqual((lhs as Record<string, unknown>)[key], (rhs as Record<string, unknown>)[key])) return false;
  }
  return true;
}

const DECIMAL = /^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$/;
// Copied as JSONata writes it (the anchors bind to the first and last alternatives only).
const PREFIXED = /^(0[xX][0-9A-Fa-f]+)|(0[oO][0-7]+)|(0[bB][0-1]+)$/;

/** JSONata's `$number()` for a number, string or boolean argument; declines on anything it rejects. */
export function jsonataNumber(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  let result: number;
  if (typeof value === 'number') result = value;
  else if (typeof value === 'string' && DECIMAL.test(value) && !Number.isNaN(Number.parseFloat(value)) && Number.isFinite(Number(value))) result = Number.parseFloat(value);
  else if (typeof value === 'string' && PREFIXED.test(value)) result = Number(value);
  else if (value === true) result = 1;
  else if (value === false) result = 0;
  else return decline();
  if (!Number.isFinite(result)) decline();
  return result;
}

/** JSONata's `$trim()`: runs of spaces, tabs and line breaks become one space, then ends are trimmed. */
export function jsonataTrim(value: string): string {
  let result = value.replace(/[ \t\n\r]+/gm, ' ');
  if (result.charAt(0) === ' ') result = result.substring(1);
  if (result.charAt(result.length - 1) === ' ') result = result.substring(0, result.length - 1);
  return result;
}

/** JSONata's `$length()`: the number of Unicode code points. */
export function jsonataLength(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/** Exact powers of ten as doubles (10^0 … 10^15). */
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, i) => 10 ** i);

/**
 * `$round(value, precision)` without strings, for the common case, or undefined when it might
 * differ from JSONata's decimal shift. `value * 10^p` is within a few ulps of the exactly shifted
 * decimal; when it is farther than that from a .5 boundary both round to the same integer, and
 * dividing that integer by the exact 10^p is correctly rounded like parsing `"<n>e-<p>"`.
 */
function roundByMultiplying(value: number, precision: number): number | undefined {
  if (precision < 1 || precision > 15 || !Number.isInteger(precision)) return undefined;
  const scale = POWERS_OF_TEN[precision]!;
  const shifted = value * scale;
  const magnitude = Math.abs(shifted);
  if (!(magnitude < 2 ** 51)) return undefined;
  const fraction = shifted - Math.floor(shifted);
  if (Math.abs(fraction - 0.5) <= magnitude * 2 ** -48 + 2 ** -60) return undefined;
  const result = Math.round(shifted) / scale;
  return result === 0 ? 0 : result;
}

/** JSONata's `$round()`: half to even, at `precision` decimal places (negative: tens, hundreds...). */
export function jsonataRound(value: number, precision: number | undefined): number {
  if (precision) {
    const fast = roundByMultiplying(value, precision);
    if (fast !== undefined) return fast;
  }
  let shifted = value;
  if (precision) {
    // Shifted through the decimal exponent, as JSONata does, to avoid binary multiplication errors.
    const [mantissa, exponent] = value.toString().split('e');
    shifted = +`${mantissa}e${exponent ? +exponent + precision : precision}`;
  }
  let result = Math.round(shifted);
  if (Math.abs(result - shifted) === 0.5 && Math.abs(result % 2) === 1) result = result - 1;
  if (precision) {
    const [mantissa, exponent] = result.toString().split('e');
    result = +`${mantissa}e${exponent ? +exponent - precision : -precision}`;
  }
  return Object.is(result, -0) ? 0 : result;
}
