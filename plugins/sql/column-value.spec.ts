import { columnEncoder, ColumnValueError, toEpochMs } from './column-value.js';

function rejects(encode: (v: unknown) => unknown, value: unknown, pattern: RegExp): void {
  let error: unknown;
  try {
    encode(value);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ColumnValueError);
  expect((error as Error).message).toMatch(pattern);
}

describe('column value conversion', () => {
  it('string and text take strings, numbers and booleans as text and refuse objects', () => {
    const text = columnEncoder('text', 'sqlite');
    expect(text('abc')).toBe('abc');
    expect(text(12.5)).toBe('12.5');
    expect(text(true)).toBe('true');
    rejects(text, { a: 1 }, /cannot convert \{"a":1\} to text \(expected a string, got an object\)/);
    rejects(text, [1], /got an array/);
  });

  it('string enforces its length in characters, not UTF-16 units', () => {
    const string = columnEncoder('string', 'sqlite', 3);
    expect(string('abc')).toBe('abc');
    expect(string('😀😀😀')).toBe('😀😀😀'); // 6 UTF-16 units, 3 characters
    rejects(string, 'abcd', /longer than 3 characters/);
  });

  it('refuses NUL characters for PostgreSQL text and jsonb only', () => {
    expect(columnEncoder('text', 'sqlite')('a\u0000b')).toBe('a\u0000b');
    rejects(columnEncoder('text', 'postgres'), 'a\u0000b', /NUL/);
    rejects(columnEncoder('json', 'postgres'), { s: 'a\u0000b' }, /NUL/);
  });

  it('integer takes 32-bit integers from numbers and integer strings', () => {
    const integer = columnEncoder('integer', 'sqlite');
    expect(integer(42)).toBe(42);
    expect(integer(' -7 ')).toBe(-7);
    expect(integer(2147483647)).toBe(2147483647);
    rejects(integer, 'abc', /cannot convert "abc" to integer \(not an integer\)/);
    rejects(integer, 1.5, /not an integer/);
    rejects(integer, 2147483648, /out of the 32-bit integer range/);
    rejects(integer, '99999999999', /out of the 32-bit integer range/);
    rejects(integer, true, /expected a number, got a boolean/);
  });

  it('bigint keeps safe integers as numbers and larger ones exact (BigInt for SQLite, text for PostgreSQL)', () => {
    expect(columnEncoder('bigint', 'sqlite')(123)).toBe(123);
    expect(columnEncoder('bigint', 'sqlite')('9223372036854775807')).toBe(9223372036854775807n);
    expect(columnEncoder('bigint', 'postgres')('9223372036854775807')).toBe('9223372036854775807');
    expect(columnEncoder('bigint', 'postgres')('-12')).toBe(-12);
    rejects(columnEncoder('bigint', 'sqlite'), '9223372036854775808', /64-bit integer range/);
    rejects(columnEncoder('bigint', 'sqlite'), '12x', /not an integer/);
  });

  it('float takes finite numbers and decimal strings', () => {
    const float = columnEncoder('float', 'postgres');
    expect(float(1.25)).toBe(1.25);
    expect(float('-3.5e2')).toBe(-350);
    rejects(float, Number.NaN, /not a finite number/);
    rejects(float, Number.POSITIVE_INFINITY, /not a finite number/);
    rejects(float, '12abc', /not a number/);
    rejects(float, '', /not a number/);
    // pg would bind -0 as "0"; the text keeps the sign, on the INSERT and the COPY path alike.
    expect(float(-0)).toBe('-0');
    expect(float('-0.0')).toBe('-0');
    expect(float(0)).toBe(0);
    expect(Object.is(columnEncoder('float', 'sqlite')(-0), -0)).toBe(true);
  });

  it('boolean takes booleans, 1/0 and their strings; SQLite stores 1/0', () => {
    const sqlite = columnEncoder('boolean', 'sqlite');
    const postgres = columnEncoder('boolean', 'postgres');
    expect([sqlite(true), sqlite(false), sqlite('TRUE'), sqlite(0)]).toEqual([1, 0, 1, 0]);
    expect([postgres(true), postgres('false'), postgres(1), postgres('0')]).toEqual([true, false, true, false]);
    rejects(sqlite, 'yes', /cannot convert "yes" to boolean/);
    rejects(sqlite, 2, /to boolean/);
  });

  it('timestamp takes epoch ms, digit strings, ISO strings (UTC without offset) and Dates', () => {
    const ms = Date.UTC(2024, 4, 17, 10, 30, 0, 250);
    expect(toEpochMs(ms)).toBe(ms);
    expect(toEpochMs(ms + 0.4)).toBe(ms);
    expect(toEpochMs(String(ms))).toBe(ms);
    expect(toEpochMs('2024-05-17T10:30:00.250Z')).toBe(ms);
    expect(toEpochMs('2024-05-17T10:30:00.250')).toBe(ms);
    expect(toEpochMs('2024-05-17 12:30:00.250+02:00')).toBe(ms);
    expect(toEpochMs('2024-05-17T05:00:00.250-0530')).toBe(ms);
    expect(toEpochMs('2024-05-17T10:30:00.250999Z')).toBe(ms);
    expect(toEpochMs('2024-05-17')).toBe(Date.UTC(2024, 4, 17));
    expect(toEpochMs(new Date(ms))).toBe(ms);
    expect(columnEncoder('timestamp', 'sqlite')('2024-05-17T10:30:00.250Z')).toBe(ms);
    expect(columnEncoder('timestamp', 'postgres')(ms)).toBe('2024-05-17T10:30:00.250Z');
  });

  it('timestamp reads the common UTC shape quickly, exactly as the general ISO path reads it', () => {
    // With "+00:00" the same instant goes through the general (regex and Date.parse) path.
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    const outcome = (text: string) => {
      try {
        return toEpochMs(text);
      } catch (error) {
        return (error as Error).message.replace(text, '<text>');
      }
    };
    for (const year of ['1900', '2000', '2023', '2024', '2100', '0099', '0100']) {
      for (const day of ['28', '29', '30']) {
        const text = `${year}-02-${day}T23:59:59.999`;
        expect([text, outcome(`${text}Z`)]).toEqual([text, outcome(`${text}+00:00`)]);
      }
    }
    for (let i = 0; i < 5000; i++) {
      const year = [random(10_000), 1900 + random(200), 2000, 2023, 2024, 1900][random(6)]!;
      const date = `${pad(year, 4)}-${pad(random(14), 2)}-${pad(random(33), 2)}`;
      const time = `${pad(random(26), 2)}:${pad(random(62), 2)}:${pad(random(62), 2)}`;
      const fraction = ['', '.5', '.25', '.250', '.2509', `.${random(1000)}`][random(6)];
      const text = `${date}${random(2) ? 'T' : ' '}${time}${fraction}`;
      expect([text, outcome(`${text}Z`)]).toEqual([text, outcome(`${text}+00:00`)]);
      expect([text, outcome(text)]).toEqual([text, outcome(`${text}+00:00`)]);
    }
  });

  it('timestamp refuses what is not a real date', () => {
    const ts = columnEncoder('timestamp', 'sqlite');
    rejects(ts, 'yesterday', /expected an ISO-8601 date-time or epoch milliseconds/);
    rejects(ts, '2024-02-30', /not a valid date/);
    rejects(ts, '2024-05-17T25:00:00Z', /not a valid date/);
    rejects(ts, 1e17, /outside the years 1 to 9999/);
    rejects(ts, { at: 1 }, /got an object/);
  });

  it('json takes any JSON value and refuses what has no JSON form', () => {
    const json = columnEncoder('json', 'sqlite');
    expect(json({ a: [1, 'x', null] })).toBe('{"a":[1,"x",null]}');
    expect(json('plain')).toBe('"plain"');
    rejects(json, 10n, /cannot convert 10n to json/);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    rejects(json, circular, /circular/i);
  });
});
