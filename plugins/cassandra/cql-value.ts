import cassandra from 'cassandra-driver';
import { describeValue, kindOfValue } from '@sluice/sdk';
import type { CqlScalarName, CqlType } from './cql-type.js';
import { formatCqlType } from './cql-type.js';

const { types } = cassandra;

/**
 * A value that cannot be stored in a column of its type. The message says what was wrong with the
 * value; the caller adds the column and the record.
 */
export class CqlValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CqlValueError';
  }
}

/** Turns a value read from a record (never null/undefined) into the parameter the driver binds. */
export type CqlEncoder = (value: unknown) => unknown;
/** Turns a value read back from the driver into plain JSON-friendly data (numbers, strings, arrays, objects). */
export type CqlDecoder = (raw: unknown) => unknown;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const FLOAT32_MAX = 3.4028234663852886e38;
const INTEGER_TEXT = /^\s*[-+]?\d+\s*$/;
const DECIMAL_TEXT = /^\s*([-+]?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?\s*$/;
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TEXT = /^([-+]?\d{4,})-(\d{2})-(\d{2})$/;
// ISO-8601 date-time; the zone designator is optional (UTC is assumed without one).
const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const BASE64_TEXT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX_BLOB = /^0x((?:[0-9a-fA-F]{2})*)$/;
// What a JavaScript Date can hold (±100,000,000 days around 1970).
const MAX_DATE_MS = 8.64e15;

function fail(value: unknown, type: string, reason: string): never {
  throw new CqlValueError(`cannot convert ${describeValue(value)} to ${type} (${reason})`);
}

function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return fail(value, 'text', `expected a string, got ${kindOfValue(value)}`);
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

function toInt(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) return value;
  const big = toInt64(value, 'int');
  if (big < BigInt(INT32_MIN) || big > BigInt(INT32_MAX)) fail(value, 'int', 'out of the 32-bit integer range');
  return Number(big);
}

function toDouble(value: unknown, type: 'float' | 'double'): number {
  let number: number;
  if (typeof value === 'number') number = value;
  else if (typeof value === 'string' && DECIMAL_TEXT.test(value) && /\d/.test(value)) number = Number(value);
  else if (typeof value === 'bigint') number = Number(value);
  else return fail(value, type, typeof value === 'string' ? 'not a number' : `expected a number, got ${kindOfValue(value)}`);
  if (!Number.isFinite(number)) fail(value, type, 'not a finite number');
  if (type === 'float' && Math.abs(number) > FLOAT32_MAX) fail(value, type, 'out of the 32-bit float range');
  return number;
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

/** Epoch milliseconds from epoch ms (a number or digits), an ISO-8601 string (UTC without offset) or a Date. */
export function toEpochMs(value: unknown, type = 'timestamp'): number {
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return fail(value, type, 'not a finite number');
    ms = Math.round(value);
  } else if (value instanceof Date) {
    ms = value.getTime();
  } else if (typeof value === 'string') {
    const text = value.trim();
    if (INTEGER_TEXT.test(text)) ms = Number(text);
    else {
      const match = ISO_TIMESTAMP.exec(text);
      if (!match) return fail(value, type, 'expected an ISO-8601 date-time or epoch milliseconds');
      const [, year, month, day, hour, minute, second, fraction, zone] = match;
      const iso =
        `${year}-${month}-${day}T${hour ?? '00'}:${minute ?? '00'}:${second ?? '00'}` +
        `.${(fraction ?? '').padEnd(3, '0').slice(0, 3)}${normaliseZone(zone)}`;
      ms = Date.parse(iso);
      // Date.parse rolls impossible dates over (Feb 30 → Mar 1) or refuses them: check the fields survived.
      if (Number.isNaN(ms) || !sameCalendarDay(ms, iso, Number(year), Number(month), Number(day))) return fail(value, type, 'not a valid date');
    }
  } else {
    return fail(value, type, `expected an ISO-8601 string or epoch milliseconds, got ${kindOfValue(value)}`);
  }
  if (Number.isNaN(ms) || Math.abs(ms) > MAX_DATE_MS) fail(value, type, 'outside the range of dates');
  return ms;
}

function normaliseZone(zone: string | undefined): string {
  if (!zone || zone.toUpperCase() === 'Z') return 'Z';
  const digits = zone.replace(':', '');
  return `${digits.slice(0, 3)}:${digits.length > 3 ? digits.slice(3, 5) : '00'}`;
}

function sameCalendarDay(ms: number, iso: string, year: number, month: number, day: number): boolean {
  const zone = iso.slice(23);
  const offsetMinutes = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const local = new Date(ms + offsetMinutes * 60_000);
  return local.getUTCFullYear() === year && local.getUTCMonth() + 1 === month && local.getUTCDate() === day;
}

function toUuid(value: unknown, type: 'uuid' | 'timeuuid'): unknown {
  if (typeof value !== 'string') return fail(value, type, `expected a UUID string, got ${kindOfValue(value)}`);
  const text = value.trim();
  if (!UUID_TEXT.test(text)) return fail(value, type, 'expected a UUID such as "123e4567-e89b-12d3-a456-426614174000"');
  if (type === 'timeuuid') {
    if (text[14] !== '1') return fail(value, type, `a timeuuid is a version 1 UUID, this one is version ${text[14]}`);
    return types.TimeUuid.fromString(text);
  }
  return types.Uuid.fromString(text);
}

function toLocalDate(value: unknown): unknown {
  if (typeof value === 'string') {
    const match = DATE_TEXT.exec(value.trim());
    if (match) {
      const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
      const check = new Date(utcMidnight(year, month, day));
      if (month < 1 || month > 12 || check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
        fail(value, 'date', 'not a valid date');
      }
      return new types.LocalDate(year, month, day);
    }
  }
  // A point in time: its UTC calendar day.
  const ms = toEpochMs(value, 'date');
  const at = new Date(ms);
  return new types.LocalDate(at.getUTCFullYear(), at.getUTCMonth() + 1, at.getUTCDate());
}

/** A decimal number as plain digits (no exponent): what the driver's BigDecimal parser reads. */
export function plainDecimal(text: string): string | undefined {
  const match = DECIMAL_TEXT.exec(text);
  if (!match) return undefined;
  const [, sign, whole = '', fraction = '', exponentText] = match;
  if (whole === '' && fraction === '') return undefined;
  let digits = `${whole}${fraction}`.replace(/^0+(?=\d)/, '');
  let scale = fraction.length - Number(exponentText ?? 0);
  if (!Number.isSafeInteger(scale) || Math.abs(scale) > 10_000) return undefined;
  if (scale < 0) {
    digits = digits + '0'.repeat(-scale);
    scale = 0;
  }
  digits = digits.padStart(scale + 1, '0');
  const out = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return sign === '-' && /[1-9]/.test(out) ? `-${out}` : out;
}

function toDecimal(value: unknown): unknown {
  let text: string | undefined;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return fail(value, 'decimal', 'not a finite number');
    text = plainDecimal(String(value));
  } else if (typeof value === 'bigint') text = value.toString();
  else if (typeof value === 'string') text = plainDecimal(value);
  else return fail(value, 'decimal', `expected a number or a decimal string, got ${kindOfValue(value)}`);
  if (text === undefined) return fail(value, 'decimal', 'not a decimal number');
  return types.BigDecimal.fromString(text);
}

function toBlob(value: unknown): Buffer {
  if (typeof value !== 'string') return fail(value, 'blob', `expected a base64 or 0x-hex string, got ${kindOfValue(value)}`);
  const hex = HEX_BLOB.exec(value);
  if (hex) return Buffer.from(hex[1], 'hex');
  if (!BASE64_TEXT.test(value)) return fail(value, 'blob', 'expected base64 (standard alphabet, padded) or 0x followed by hex digits');
  return Buffer.from(value, 'base64');
}

/** Collections also come as JSON text (e.g. from CSV files); anything else must already be an array/object. */
function parseJsonText(value: unknown, type: string): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (!text.startsWith('[') && !text.startsWith('{')) return value;
  try {
    return JSON.parse(text);
  } catch (error) {
    return fail(value, type, `invalid JSON text: ${(error as Error).message}`);
  }
}

function elementError(value: unknown, type: string, where: string, cause: unknown): never {
  const reason = cause instanceof CqlValueError ? cause.message : String(cause);
  throw new CqlValueError(`cannot convert ${describeValue(value)} to ${type} (${where}: ${reason})`);
}

function collectionEncoder(type: Extract<CqlType, { kind: 'list' | 'set' | 'map' }>): CqlEncoder {
  const name = formatCqlType(type);
  if (type.kind === 'map') {
    const encodeKey = cqlEncoder(type.key);
    const encodeValue = cqlEncoder(type.value);
    return (input) => {
      const value = parseJsonText(input, name);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(input, name, `expected a JSON object, got ${kindOfValue(value)}`);
      const out = new Map<unknown, unknown>();
      for (const [key, item] of Object.entries(value)) {
        if (item === null || item === undefined) fail(input, name, `the value of key ${JSON.stringify(key)} is ${describeValue(item)}; Cassandra maps cannot hold nulls`);
        let encodedKey: unknown;
        try {
          encodedKey = encodeKey(key);
        } catch (error) {
          elementError(input, name, `key ${JSON.stringify(key)}`, error);
        }
        try {
          out.set(encodedKey, encodeValue(item));
        } catch (error) {
          elementError(input, name, `value of key ${JSON.stringify(key)}`, error);
        }
      }
      return out;
    };
  }
  const encodeElement = cqlEncoder(type.element);
  return (input) => {
    const value = parseJsonText(input, name);
    if (!Array.isArray(value)) return fail(input, name, `expected a JSON array, got ${kindOfValue(value)}`);
    return value.map((item, index) => {
      if (item === null || item === undefined) fail(input, name, `element ${index} is ${describeValue(item)}; Cassandra collections cannot hold nulls`);
      try {
        return encodeElement(item);
      } catch (error) {
        return elementError(input, name, `element ${index}`, error);
      }
    });
  };
}

const SCALAR_ENCODERS: Record<CqlScalarName, CqlEncoder> = {
  text: toText,
  int: toInt,
  bigint: (value) => types.Long.fromString(toInt64(value, 'bigint').toString()),
  float: (value) => toDouble(value, 'float'),
  double: (value) => toDouble(value, 'double'),
  boolean: toBoolean,
  timestamp: (value) => new Date(toEpochMs(value)),
  uuid: (value) => toUuid(value, 'uuid'),
  timeuuid: (value) => toUuid(value, 'timeuuid'),
  date: toLocalDate,
  decimal: toDecimal,
  blob: toBlob,
};

/**
 * The encoder of a CQL type. Values are checked strictly, so that a bad value fails its own record
 * with a message naming the value, instead of an error from the driver or the server:
 * - text: strings, or numbers/booleans written as text; objects are refused.
 * - int: 32-bit integers; bigint: 64-bit integers (numbers, integer strings, BigInts).
 * - float (32-bit range) and double: finite numbers or decimal strings.
 * - boolean: true/false, 1/0, "true"/"false"/"1"/"0".
 * - timestamp: epoch ms (fractions rounded), digit strings (epoch ms), ISO-8601 strings (UTC when
 *   they carry no offset).
 * - uuid: UUID strings; timeuuid: version-1 UUID strings.
 * - date: "YYYY-MM-DD", or a timestamp (epoch ms / ISO date-time), stored as its UTC day.
 * - decimal: numbers or decimal strings (exponents allowed), kept exactly as written.
 * - blob: base64 strings (standard alphabet, padded) or "0x" + hex digits.
 * - list<T>, set<T>: JSON arrays (or JSON text of one) of non-null elements converted as T.
 * - map<K, V>: JSON objects (or JSON text of one); keys converted as K (so `map<int, text>` takes
 *   `{"1": "one"}`), non-null values as V.
 */
export function cqlEncoder(type: CqlType): CqlEncoder {
  return type.kind === 'scalar' ? SCALAR_ENCODERS[type.name] : collectionEncoder(type);
}

function decodeNumber(raw: unknown): unknown {
  if (typeof raw === 'number') return raw;
  if (raw instanceof types.Long) return raw.toNumber();
  if (raw instanceof types.BigDecimal) return raw.toNumber();
  if (typeof raw === 'bigint') return Number(raw);
  return raw;
}

function decodeScalar(name: CqlScalarName): CqlDecoder {
  switch (name) {
    case 'int':
    case 'bigint':
    case 'float':
    case 'double':
    case 'decimal':
      return decodeNumber;
    case 'timestamp':
      return (raw) => (raw instanceof Date ? raw.getTime() : raw);
    case 'date':
      return (raw) => (raw instanceof types.LocalDate ? utcMidnight(raw.year, raw.month, raw.day) : raw);
    case 'uuid':
    case 'timeuuid':
      return (raw) => (raw instanceof types.Uuid ? raw.toString() : raw);
    case 'blob':
      return (raw) => (Buffer.isBuffer(raw) ? raw.toString('base64') : raw);
    case 'text':
    case 'boolean':
      return (raw) => raw;
  }
}

/** Epoch ms of a day's UTC midnight (any year: Date.UTC alone maps years 0–99 to the 1900s). */
function utcMidnight(year: number, month: number, day: number): number {
  const at = new Date(0);
  at.setUTCFullYear(year, month - 1, day);
  return at.getTime();
}

/**
 * The decoder of a CQL type, for query results: numbers as numbers (bigint and decimal through
 * Number, so beyond 2^53 they lose precision), timestamps and dates as epoch milliseconds (a date
 * as its UTC midnight), uuids as strings, blobs as base64, lists and sets as arrays, maps as
 * objects (keys as strings). Null stays null; Cassandra reads an empty collection back as null.
 */
export function cqlDecoder(type: CqlType): CqlDecoder {
  if (type.kind === 'scalar') {
    const decode = decodeScalar(type.name);
    return (raw) => (raw === null || raw === undefined ? null : decode(raw));
  }
  if (type.kind === 'map') {
    const decodeKey = cqlDecoder(type.key);
    const decodeValue = cqlDecoder(type.value);
    return (raw) => {
      if (raw === null || raw === undefined) return null;
      const entries: Iterable<[unknown, unknown]> = raw instanceof Map ? raw.entries() : Object.entries(raw as object);
      const out: Record<string, unknown> = {};
      for (const [key, value] of entries) {
        const decodedKey = decodeKey(key);
        out[typeof decodedKey === 'string' ? decodedKey : JSON.stringify(decodedKey)] = decodeValue(value);
      }
      return out;
    };
  }
  const decodeElement = cqlDecoder(type.element);
  return (raw) => {
    if (raw === null || raw === undefined) return null;
    return Array.from(raw as Iterable<unknown>, decodeElement);
  };
}
