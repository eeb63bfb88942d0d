/**
 * PostgreSQL's COPY text format (`COPY ... FROM STDIN`, the default format): one line per row,
 * fields separated by a tab, `\N` for NULL, and a backslash escaping the characters that would
 * otherwise end a field or a row. See https://www.postgresql.org/docs/current/sql-copy.html
 * ("Text Format").
 *
 * The values are those the column encoders of column-value.ts produce for PostgreSQL, which are
 * also what the INSERT path binds as parameters, so both paths store the same thing:
 * - strings (string, text, json text, ISO timestamps, bigints past 2^53): every character as it
 *   is, except backslash, newline, carriage return and tab, written `\\`, `\n`, `\r`, `\t`. NUL
 *   never occurs (the encoders refuse it: PostgreSQL text cannot hold it). The stream is UTF-8,
 *   the client_encoding pg sets.
 * - numbers (integer, bigint, float): JavaScript's shortest round-tripping decimal form (`1e-7`,
 *   `1.5e+300` are valid float8 input), `-0` kept as `-0`.
 * - booleans: `t` / `f`.
 */
const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** NULL in COPY text format. */
export const COPY_NULL = '\\N';

/** One field of a row in COPY text format. */
export function copyTextField(value: unknown): string {
  if (value === null || value === undefined) return COPY_NULL;
  switch (typeof value) {
    case 'string':
      return SPECIAL.test(value) ? value.replace(SPECIALS, (c) => ESCAPES[c]) : value;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`COPY text: ${value} is not a finite number (the column encoders refuse it)`);
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 't' : 'f';
    default:
      throw new TypeError(`COPY text: cannot write a ${typeof value} (the column encoders produce strings, numbers, bigints and booleans)`);
  }
}

/** One row (column values in column order) as a line of COPY text format, newline included. */
export function copyTextLine(row: readonly unknown[]): string {
  let line = copyTextField(row[0]);
  for (let c = 1; c < row.length; c++) line += '\t' + copyTextField(row[c]);
  return line + '\n';
}

/**
 * Rows as COPY text, in chunks of about `chunkChars` characters (whole lines): what is written to
 * the COPY stream, so that a large batch is neither one huge string nor one write per row.
 */
export function* copyTextChunks(rows: readonly (readonly unknown[])[], chunkChars = 64 * 1024): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    chunk += copyTextLine(row);
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}
