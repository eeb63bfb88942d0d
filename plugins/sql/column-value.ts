import type { SqlColumnType, SqlDriverName } from './sql.config.js';
import { describeValue, kindOfValue } from '@sluice/sdk';

/**
 * A value that cannot be stored in a column. The message says what was wrong with the value; the
 * caller adds which column and record it belongs to.
 */
export class ColumnValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ColumnValueError';
  }
}

/** Turns a value read from a record into the parameter bound for one column (never null/undefined). */
export type ColumnEncoder = (value: unknown) => unknown;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INTEGER_TEXT = /^\s*[-+]?\d+\s*$/;
const DECIMAL_TEXT = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
// ISO-8601 date or date-time; the zone designator is optional (UTC is assumed without one).
const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
// Years 1 to 9999: the range both drivers read and write without surprises (and ISO strings can spell).
const MIN_TIME_MS = Date.parse('0001-01-01T00:00:00.000Z');
const MAX_TIME_MS = Date.parse('9999-12-31T23:59:59.999Z');

function fail(value: unknown, type: string, reason?: string): never {
  throw new ColumnValueError(`cannot convert ${describeValue(value)} to ${type}${reason ? ` (${reason})` : ''}`);
}

function toText(value: unknown, type: string, driver: SqlDriverName, maxLength?: number): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean' || typeof value === 'bigint') text = String(value);
  else return fail(value, type, `expected a string, got ${kindOfValue(value)}`);
  // PostgreSQL text types cannot hold NUL characters; refusing the record beats failing its batch.
  if (driver === 'postgres' && text.includes('\u0000')) fail(value, type, 'PostgreSQL text cannot contain NUL characters');
  // Lengths count characters (code points), as varchar(n) does.
  if (maxLength !== undefined && text.length > maxLength && [...text].length > maxLength) {
    fail(value, type, `longer than ${maxLength} characters`);
  }
  return text;
}

function toInt64(value: unknown, type: string): bigint {
  let big: bigint;
  if (typeof value === 'bigint') big = value;
  else if (typeof value === 'number') {
    if (!Number.isInteger(value)) return fail(value, type, 'not an integer');
    big = BigInt(value);
  } else if (typeof value === 'string' && INTEGER_TEXT.test(value)) big = BigInt(value.trim());
  else return fail(value, type, typeof value === 'string' ? 'not an integer' : `expected a number, got ${kindOfValue(value)}`);
  if (big < INT64_MIN || big > INT64_MAX) fail(value, type, 'out of the 64-bit integer range');
  return big;
}

function toInteger(value: unknown): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) return value;
    return fail(value, 'integer', Number.isInteger(value) ? 'out of the 32-bit integer range' : 'not an integer');
  }
  const big = toInt64(value, 'integer');
  if (big < BigInt(INT32_MIN) || big > BigInt(INT32_MAX)) fail(value, 'integer', 'out of the 32-bit integer range');
  return Number(big);
}

function toFloat(value: unknown): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    return fail(value, 'float', 'not a finite number');
  }
  if (typeof value === 'string' && DECIMAL_TEXT.test(value)) {
    const parsed = Number(value);
    if (Number.isFinite(parsed)) return parsed;
  }
  if (typeof value === 'bigint') return Number(value);
  return fail(value, 'float', typeof value === 'string' ? 'not a number' : `expected a number, got ${kindOfValue(value)}`);
}

function negativeZeroAsText(value: number): number | string {
  return Object.is(value, -0) ? '-0' : value;
}

function toBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
  }
  return fail(value, 'boolean', 'expected true/false, 1/0 or "true"/"false"');
}

/** The number of `text`'s two to four digits at `at`, or -1 when one is not a digit. */
function digitsAt(text: string, at: number, count: number): number {
  let number = 0;
  for (let i = at; i < at + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    number = number * 10 + digit;
  }
  return number;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The common shape `YYYY-MM-DDTHH:MM:SS[.fff…][Z]` (what `toISOString()` and most exports write),
 * read without a regular expression or a Date: epoch ms, or NaN for anything else (any other
 * shape, an offset, an impossible field, years before 100), which the general path then reads.
 */
function canonicalUtcMs(text: string): number {
  const length = text.length;
  if (length < 19 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return Number.NaN;
  const separator = text.charCodeAt(10);
  if (separator !== 84 && separator !== 32) return Number.NaN;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  if (year < 100 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return Number.NaN;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return Number.NaN;
  let at = 19;
  let millis = 0;
  if (at < length && text.charCodeAt(at) === 46) {
    at++;
    const start = at;
    while (at < length && text.charCodeAt(at) >= 48 && text.charCodeAt(at) <= 57) {
      // Digits after the third are cut off, as the general path does.
      if (at - start < 3) millis = millis * 10 + (text.charCodeAt(at) - 48);
      at++;
    }
    if (at === start) return Number.NaN;
    for (let place = at - start; place < 3; place++) millis *= 10;
  }
  if (at < length && (text.charCodeAt(at) === 90 || text.charCodeAt(at) === 122)) at++;
  if (at !== length) return Number.NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second, millis);
}

/** Epoch milliseconds from epoch ms (number or digits), an ISO-8601 string (UTC without offset) or a Date. */
export function toEpochMs(value: unknown): number {
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return fail(value, 'timestamp', 'not a finite number');
    ms = Math.round(value);
  } else if (value instanceof Date) {
    ms = value.getTime();
  } else if (typeof value === 'string') {
    const text = value.trim();
    const canonical = canonicalUtcMs(text);
    if (canonical === canonical) ms = canonical;
    else if (INTEGER_TEXT.test(text)) ms = Number(text);
    else {
      const match = ISO_TIMESTAMP.exec(text);
      if (!match) return fail(value, 'timestamp', 'expected an ISO-8601 date-time or epoch milliseconds');
      const [, year, month, day, hour, minute, second, fraction, zone] = match;
      const iso =
        `${year}-${month}-${day}T${hour ?? '00'}:${minute ?? '00'}:${second ?? '00'}` +
        `.${(fraction ?? '').padEnd(3, '0').slice(0, 3)}${normaliseZone(zone)}`;
      ms = Date.parse(iso);
      // Date.parse rolls some impossible dates over (Feb 30 → Mar 1): check the fields survived.
      if (Number.isNaN(ms) || !sameCalendarDay(ms, iso, Number(year), Number(month), Number(day))) {
        return fail(value, 'timestamp', 'not a valid date');
      }
    }
  } else {
    return fail(value, 'timestamp', `expected an ISO-8601 string or epoch milliseconds, got ${kindOfValue(value)}`);
  }
  if (Number.isNaN(ms) || ms < MIN_TIME_MS || ms > MAX_TIME_MS) fail(value, 'timestamp', 'outside the years 1 to 9999');
  return ms;
}

function normaliseZone(zone: string | undefined): string {
  if (!zone || zone.toUpperCase() === 'Z') return 'Z';
  const digits = zone.replace(':', '');
  return `${digits.slice(0, 3)}:${digits.length > 3 ? digits.slice(3, 5) : '00'}`;
}

function sameCalendarDay(ms: number, iso: string, year: number, month: number, day: number): boolean {
  // Compare in the record's own offset: shift by it and read the UTC fields.
  const zone = iso.slice(23);
  const offsetMinutes = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const local = new Date(ms + offsetMinutes * 60_000);
  return local.getUTCFullYear() === year && local.getUTCMonth() + 1 === month && local.getUTCDate() === day;
}

function toJsonText(value: unknown, driver: SqlDriverName): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    return fail(value, 'json', error instanceof Error ? error.message : String(error));
  }
  if (text === undefined) return fail(value, 'json', `${kindOfValue(value)} has no JSON form`);
  // jsonb refuses the \u0000 escape ("unsupported Unicode escape sequence").
  if (driver === 'postgres' && text.includes('\\u0000')) fail(value, 'json', 'PostgreSQL jsonb cannot contain NUL characters');
  return text;
}

/**
 * The encoder of a column type for a driver. Values are checked strictly so that a bad value fails
 * its own record instead of the whole batch (the database would reject the statement):
 * - string/text: strings, or numbers/booleans written as text; objects are refused.
 * - integer: 32-bit integers, as numbers or integer strings. bigint: 64-bit integers (numbers,
 *   integer strings or BigInts); bound as numbers when safe, else as BigInt (SQLite) / text (PostgreSQL).
 * - float: finite numbers or decimal strings (-0 is bound as the text "-0" on PostgreSQL, keeping its sign).
 * - boolean: true/false, 1/0, "true"/"false"/"1"/"0"; SQLite stores 1/0.
 * - timestamp: epoch ms (fractions rounded), digit strings (epoch ms), ISO-8601 strings (UTC when
 *   they carry no offset) or Dates, years 1–9999. SQLite stores epoch ms as an integer, PostgreSQL
 *   gets an ISO string for its timestamptz column.
 * - json: any JSON-serialisable value, as JSON text (jsonb in PostgreSQL).
 */
export function columnEncoder(type: SqlColumnType, driver: SqlDriverName, length?: number): ColumnEncoder {
  switch (type) {
    case 'string':
      return (value) => toText(value, 'string', driver, length);
    case 'text':
      return (value) => toText(value, 'text', driver);
    case 'integer':
      return toInteger;
    case 'bigint':
      return (value) => {
        if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
        const big = toInt64(value, 'bigint');
        const small = Number(big);
        if (Number.isSafeInteger(small)) return small;
        return driver === 'sqlite' ? big : big.toString();
      };
    case 'float':
      // pg binds numbers as String(n), which turns -0 into "0": bind the text so that both write paths keep the sign.
      return driver === 'postgres' ? (value) => negativeZeroAsText(toFloat(value)) : toFloat;
    case 'boolean':
      return driver === 'sqlite' ? (value) => (toBoolean(value) ? 1 : 0) : toBoolean;
    case 'timestamp':
      return driver === 'sqlite' ? toEpochMs : (value) => new Date(toEpochMs(value)).toISOString();
    case 'json':
      return (value) => toJsonText(value, driver);
  }
}
