import cassandra from 'cassandra-driver';
import { parseCqlType } from './cql-type.js';
import { cqlDecoder, cqlEncoder, CqlValueError, plainDecimal, toEpochMs } from './cql-value.js';

const { types } = cassandra;
const encode = (type: string, value: unknown) => cqlEncoder(parseCqlType(type))(value);
const decode = (type: string, raw: unknown) => cqlDecoder(parseCqlType(type))(raw);
/** Encodes then decodes: what a value reads back as after a write. */
const roundTrip = (type: string, value: unknown) => decode(type, encode(type, value));
const refusal = (type: string, value: unknown) => {
  try {
    encode(type, value);
  } catch (error) {
    expect(error).toBeInstanceOf(CqlValueError);
    return (error as Error).message;
  }
  throw new Error(`${JSON.stringify(value)} was accepted as ${type}`);
};

describe('CQL value conversion', () => {
  it('converts text, refusing objects', () => {
    expect(encode('text', 'héllo')).toBe('héllo');
    expect(encode('varchar', 42)).toBe('42');
    expect(encode('text', true)).toBe('true');
    expect(refusal('text', { a: 1 })).toBe('cannot convert {"a":1} to text (expected a string, got an object)');
    expect(refusal('text', [1])).toBe('cannot convert [1] to text (expected a string, got an array)');
  });

  it('converts int within 32 bits and bigint within 64 bits', () => {
    expect(encode('int', 2147483647)).toBe(2147483647);
    expect(encode('int', ' -17 ')).toBe(-17);
    expect(refusal('int', 2147483648)).toBe('cannot convert 2147483648 to int (out of the 32-bit integer range)');
    expect(refusal('int', 1.5)).toBe('cannot convert 1.5 to int (not an integer)');
    expect(refusal('int', 'abc')).toBe('cannot convert "abc" to int (not an integer)');
    expect(refusal('int', true)).toBe('cannot convert true to int (expected a number, got a boolean)');
    const big = encode('bigint', '9223372036854775807');
    expect(big).toBeInstanceOf(types.Long);
    expect(String(big)).toBe('9223372036854775807');
    expect(String(encode('bigint', -5))).toBe('-5');
    expect(String(encode('bigint', 2n ** 62n))).toBe(String(2n ** 62n));
    expect(refusal('bigint', '9223372036854775808')).toBe('cannot convert "9223372036854775808" to bigint (out of the 64-bit integer range)');
    expect(decode('bigint', types.Long.fromString('9007199254740991'))).toBe(9007199254740991);
  });

  it('converts float (32-bit range) and double from numbers and decimal strings', () => {
    expect(encode('double', '1e-3')).toBe(0.001);
    expect(encode('float', 3.25)).toBe(3.25);
    expect(encode('double', 1e300)).toBe(1e300);
    expect(refusal('float', 1e300)).toBe('cannot convert 1e+300 to float (out of the 32-bit float range)');
    expect(refusal('double', 'NaN')).toBe('cannot convert "NaN" to double (not a number)');
    expect(refusal('double', '.')).toBe('cannot convert "." to double (not a number)');
    expect(refusal('double', Infinity)).toMatch(/not a finite number/);
  });

  it('converts booleans from booleans, 1/0 and their strings', () => {
    expect([true, 'TRUE', 1, '1'].map((v) => encode('boolean', v))).toEqual([true, true, true, true]);
    expect([false, 'false', 0, '0'].map((v) => encode('boolean', v))).toEqual([false, false, false, false]);
    expect(refusal('boolean', 'yes')).toBe('cannot convert "yes" to boolean (expected true/false, 1/0 or "true"/"false")');
  });

  it('converts timestamps from ISO-8601 strings and epoch milliseconds', () => {
    expect(encode('timestamp', '2024-02-29T23:59:59.999+01:00')).toEqual(new Date(Date.UTC(2024, 1, 29, 22, 59, 59, 999)));
    expect(encode('timestamp', '2024-01-01T00:00:00')).toEqual(new Date(Date.UTC(2024, 0, 1)));
    expect(encode('timestamp', '2024-01-01')).toEqual(new Date(Date.UTC(2024, 0, 1)));
    expect(encode('timestamp', 1_700_000_000_123.4)).toEqual(new Date(1_700_000_000_123));
    expect(encode('timestamp', '1700000000123')).toEqual(new Date(1_700_000_000_123));
    expect(roundTrip('timestamp', '2001-09-09T01:46:40Z')).toBe(1_000_000_000_000);
    expect(refusal('timestamp', '2023-02-29T00:00:00Z')).toBe('cannot convert "2023-02-29T00:00:00Z" to timestamp (not a valid date)');
    expect(refusal('timestamp', 'yesterday')).toMatch(/expected an ISO-8601 date-time or epoch milliseconds/);
    expect(refusal('timestamp', 1e17)).toMatch(/outside the range of dates/);
    expect(() => toEpochMs({})).toThrow(/got an object/);
  });

  it('converts uuid and timeuuid strings, refusing a random UUID as timeuuid', () => {
    const id = encode('uuid', '123E4567-E89B-42D3-A456-426614174000');
    expect(id).toBeInstanceOf(types.Uuid);
    expect(decode('uuid', id)).toBe('123e4567-e89b-42d3-a456-426614174000');
    const time = encode('timeuuid', '6ba7b810-9dad-11d1-80b4-00c04fd430c8');
    expect(time).toBeInstanceOf(types.TimeUuid);
    expect(refusal('timeuuid', '123e4567-e89b-42d3-a456-426614174000')).toBe(
      'cannot convert "123e4567-e89b-42d3-a456-426614174000" to timeuuid (a timeuuid is a version 1 UUID, this one is version 4)',
    );
    expect(refusal('uuid', 'not-a-uuid')).toMatch(/expected a UUID such as/);
    expect(refusal('uuid', 12)).toBe('cannot convert 12 to uuid (expected a UUID string, got a number)');
  });

  it('converts dates from YYYY-MM-DD or a point in time (its UTC day), and reads them back as UTC midnight', () => {
    const day = encode('date', '2024-02-29') as InstanceType<typeof types.LocalDate>;
    expect(day).toBeInstanceOf(types.LocalDate);
    expect(day.toString()).toBe('2024-02-29');
    expect(String(encode('date', '2024-03-01T23:30:00-02:00'))).toBe('2024-03-02');
    expect(String(encode('date', 0))).toBe('1970-01-01');
    expect(roundTrip('date', '0050-06-15')).toBe(new Date('0050-06-15T00:00:00Z').getTime());
    expect(roundTrip('date', '2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(refusal('date', '2023-02-29')).toBe('cannot convert "2023-02-29" to date (not a valid date)');
    expect(refusal('date', '2023-13-01')).toBe('cannot convert "2023-13-01" to date (not a valid date)');
  });

  it('converts decimals exactly, exponents included', () => {
    expect(plainDecimal('12.50')).toBe('12.50');
    expect(plainDecimal('1.5e3')).toBe('1500');
    expect(plainDecimal('-2.5E-3')).toBe('-0.0025');
    expect(plainDecimal('.5')).toBe('0.5');
    expect(plainDecimal('-0')).toBe('0');
    expect(plainDecimal('1e')).toBeUndefined();
    expect(plainDecimal('.')).toBeUndefined();
    const decimal = encode('decimal', '123456789012345678901234567890.125');
    expect(decimal).toBeInstanceOf(types.BigDecimal);
    expect(String(decimal)).toBe('123456789012345678901234567890.125');
    expect(String(encode('decimal', 1e-7))).toBe('0.0000001');
    expect(roundTrip('decimal', '12.5')).toBe(12.5);
    expect(refusal('decimal', 'twelve')).toBe('cannot convert "twelve" to decimal (not a decimal number)');
  });

  it('converts blobs from base64 or 0x-hex, and reads them back as base64', () => {
    expect(encode('blob', 'aGk=')).toEqual(Buffer.from('hi'));
    expect(encode('blob', '0x6869')).toEqual(Buffer.from('hi'));
    expect(roundTrip('blob', '0x00ff')).toBe('AP8=');
    expect(refusal('blob', 'not base64!')).toMatch(/expected base64 \(standard alphabet, padded\) or 0x followed by hex digits/);
    expect(refusal('blob', '0x123')).toMatch(/expected base64/);
  });

  it('converts lists and sets from JSON arrays (or their JSON text), element by element', () => {
    expect(encode('list<text>', ['grass', 'poison'])).toEqual(['grass', 'poison']);
    expect(encode('set<int>', '[1, "2", 3]')).toEqual([1, 2, 3]);
    expect(roundTrip('list<timestamp>', ['1970-01-01T00:00:01Z', 2000])).toEqual([1000, 2000]);
    expect(refusal('list<text>', 'grass')).toBe('cannot convert "grass" to list<text> (expected a JSON array, got a string)');
    expect(refusal('list<int>', [1, 'x'])).toBe('cannot convert [1,"x"] to list<int> (element 1: cannot convert "x" to int (not an integer))');
    expect(refusal('set<text>', ['a', null])).toBe('cannot convert ["a",null] to set<text> (element 1 is null; Cassandra collections cannot hold nulls)');
    expect(refusal('list<int>', '[1, 2')).toMatch(/^cannot convert "\[1, 2" to list<int> \(invalid JSON text: /);
  });

  it('converts maps from JSON objects, keys converted to the key type', () => {
    const stats = encode('map<text, int>', { hp: 45, attack: '49' });
    expect(stats).toEqual(new Map([['hp', 45], ['attack', 49]]));
    const byNumber = encode('map<int, text>', { '1': 'one', '2': 'two' });
    expect(byNumber).toEqual(new Map([[1, 'one'], [2, 'two']]));
    expect(roundTrip('map<int, text>', '{"1": "one"}')).toEqual({ '1': 'one' });
    expect(roundTrip('map<text, frozen<list<int>>>', { a: [1, 2] })).toEqual({ a: [1, 2] });
    expect(refusal('map<text, int>', { hp: 'high' })).toBe('cannot convert {"hp":"high"} to map<text, int> (value of key "hp": cannot convert "high" to int (not an integer))');
    expect(refusal('map<int, text>', { one: 'x' })).toBe('cannot convert {"one":"x"} to map<int, text> (key "one": cannot convert "one" to int (not an integer))');
    expect(refusal('map<text, int>', { hp: null })).toBe('cannot convert {"hp":null} to map<text, int> (the value of key "hp" is null; Cassandra maps cannot hold nulls)');
    expect(refusal('map<text, int>', [['hp', 1]])).toBe('cannot convert [["hp",1]] to map<text, int> (expected a JSON object, got an array)');
  });

  it('decodes what the driver returns into plain data', () => {
    expect(decode('int', null)).toBeNull();
    expect(decode('list<text>', null)).toBeNull();
    expect(decode('timestamp', new Date(5))).toBe(5);
    expect(decode('timeuuid', types.TimeUuid.fromString('6ba7b810-9dad-11d1-80b4-00c04fd430c8'))).toBe('6ba7b810-9dad-11d1-80b4-00c04fd430c8');
    expect(decode('set<uuid>', [types.Uuid.fromString('123e4567-e89b-42d3-a456-426614174000')])).toEqual(['123e4567-e89b-42d3-a456-426614174000']);
    expect(decode('map<uuid, bigint>', new Map([[types.Uuid.fromString('123e4567-e89b-42d3-a456-426614174000'), types.Long.fromNumber(7)]]))).toEqual({
      '123e4567-e89b-42d3-a456-426614174000': 7,
    });
    expect(decode('map<timestamp, int>', new Map([[new Date(1000), 1]]))).toEqual({ '1000': 1 });
    expect(decode('decimal', types.BigDecimal.fromString('0.25'))).toBe(0.25);
    expect(decode('boolean', false)).toBe(false);
  });
});
