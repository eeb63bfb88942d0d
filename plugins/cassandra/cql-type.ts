import type { ColumnType } from '@sluice/sdk';

/** The scalar CQL types the sink can declare, convert values to and create tables with. */
export const CQL_SCALAR_TYPES = ['text', 'varchar', 'int', 'bigint', 'float', 'double', 'boolean', 'timestamp', 'uuid', 'timeuuid', 'date', 'decimal', 'blob'] as const;
export type CqlScalarName = Exclude<(typeof CQL_SCALAR_TYPES)[number], 'varchar'>;

/**
 * A parsed CQL column type. `varchar` is an alias of `text` (Cassandra stores it as `text`), so it
 * parses to `text`. `frozen` marks a collection serialised as one value: required for collections
 * nested in collections and for collections in the primary key.
 */
export type CqlType =
  | { readonly kind: 'scalar'; readonly name: CqlScalarName }
  | { readonly kind: 'list' | 'set'; readonly element: CqlType; readonly frozen: boolean }
  | { readonly kind: 'map'; readonly key: CqlType; readonly value: CqlType; readonly frozen: boolean };

/** A type string that does not follow the grammar, with the position of the problem. */
export class CqlTypeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CqlTypeError';
  }
}

const SCALARS: ReadonlySet<string> = new Set(CQL_SCALAR_TYPES);
const TOKEN = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|([<>,]))/y;
const GRAMMAR =
  'type = text | varchar | int | bigint | float | double | boolean | timestamp | uuid | timeuuid | date | decimal | blob ' +
  '| list<type> | set<type> | map<type, type> | frozen<list|set|map<...>>';

/**
 * Parses a CQL type string (keywords are case-insensitive, whitespace is free):
 *
 *     type = scalar | list<type> | set<type> | map<type, type> | frozen<collection>
 *     scalar = text | varchar | int | bigint | float | double | boolean | timestamp | uuid
 *            | timeuuid | date | decimal | blob
 *
 * Also enforces Cassandra's rules, so that a config that parses is a table Cassandra accepts: a
 * collection inside a collection must be frozen (`list<frozen<map<text, int>>>`), `frozen<>` wraps
 * collections only and not twice.
 */
export function parseCqlType(text: string): CqlType {
  const parser = new Parser(text);
  const type = parser.type(false);
  parser.end();
  return type;
}

interface Token {
  readonly word?: string;
  readonly symbol?: string;
  /** 0-based offset of the token (the text length at the end). */
  readonly start: number;
}

class Parser {
  private position = 0;

  constructor(private readonly text: string) {
    if (typeof text !== 'string' || text.trim() === '') throw new CqlTypeError(`empty type; expected ${GRAMMAR}`);
  }

  type(nested: boolean): CqlType {
    const token = this.next();
    if (!token.word) return this.fail(token.start, `expected a type name, found ${this.show(token)}`);
    const name = token.word.toLowerCase();
    if (name === 'frozen') {
      this.expect('<');
      const inner = this.type(false);
      this.expect('>');
      if (inner.kind === 'scalar') this.fail(token.start, `frozen<> applies to collections only, not to ${inner.name}`);
      if ((inner as { frozen: boolean }).frozen) this.fail(token.start, `${formatCqlType(inner)} is already frozen`);
      return { ...inner, frozen: true } as CqlType;
    }
    if (name === 'list' || name === 'set') {
      this.expect('<');
      const element = this.type(true);
      this.expect('>');
      if (nested) this.nestedCollection(token.start, name);
      return { kind: name, element, frozen: false };
    }
    if (name === 'map') {
      this.expect('<');
      const key = this.type(true);
      this.expect(',');
      const value = this.type(true);
      this.expect('>');
      if (nested) this.nestedCollection(token.start, name);
      return { kind: 'map', key, value, frozen: false };
    }
    if (!SCALARS.has(name)) this.fail(token.start, `unknown type "${token.word}"; expected ${GRAMMAR}`);
    return { kind: 'scalar', name: name === 'varchar' ? 'text' : (name as CqlScalarName) };
  }

  end(): void {
    const token = this.next();
    if (token.word !== undefined || token.symbol !== undefined) this.fail(token.start, `unexpected ${this.show(token)} after the type`);
  }

  private nestedCollection(start: number, name: string): never {
    return this.fail(start, `a collection inside a collection must be frozen: write frozen<${name}<...>>`);
  }

  private expect(symbol: string): void {
    const token = this.next();
    if (token.symbol !== symbol) this.fail(token.start, `expected "${symbol}", found ${this.show(token)}`);
  }

  private next(): Token {
    const rest = this.text.slice(this.position);
    if (rest.trim() === '') return { start: this.text.length };
    TOKEN.lastIndex = this.position;
    const match = TOKEN.exec(this.text);
    if (!match) {
      const start = this.position + (rest.length - rest.trimStart().length);
      return this.fail(start, `unexpected character "${this.text[start]}"`);
    }
    const lexeme = match[1] ?? match[2];
    this.position = TOKEN.lastIndex;
    return { ...(match[1] ? { word: lexeme } : { symbol: lexeme }), start: this.position - lexeme.length };
  }

  private show(token: Token): string {
    if (token.word !== undefined) return `"${token.word}"`;
    if (token.symbol !== undefined) return `"${token.symbol}"`;
    return 'the end';
  }

  private fail(at: number, message: string): never {
    throw new CqlTypeError(`${message} (at character ${at + 1} of "${this.text}")`);
  }
}

/**
 * The canonical spelling, as Cassandra reports it in `system_schema.columns.type`: lower case,
 * `varchar` as `text`, `map<k, v>` with a space after the comma. Two types are the same column type
 * exactly when their canonical spellings are equal.
 */
export function formatCqlType(type: CqlType): string {
  let body: string;
  if (type.kind === 'scalar') return type.name;
  if (type.kind === 'map') body = `map<${formatCqlType(type.key)}, ${formatCqlType(type.value)}>`;
  else body = `${type.kind}<${formatCqlType(type.element)}>`;
  return type.frozen ? `frozen<${body}>` : body;
}

export function isCollection(type: CqlType): boolean {
  return type.kind !== 'scalar';
}

const NUMERIC: ReadonlySet<CqlScalarName> = new Set(['int', 'bigint', 'float', 'double', 'decimal']);

/** Whether values of the type are numbers (what sum/avg need). */
export function isNumericType(type: CqlType): boolean {
  return type.kind === 'scalar' && NUMERIC.has(type.name);
}

/**
 * How a column type shows in dataset descriptions: numbers (int, bigint, float, double, decimal),
 * booleans, times (timestamp and date, read back as epoch milliseconds), json (collections, read
 * back as arrays and objects), and strings for the rest (text, uuid, timeuuid, blob as base64).
 */
export function describedType(type: CqlType): ColumnType {
  if (type.kind !== 'scalar') return 'json';
  if (NUMERIC.has(type.name)) return 'number';
  if (type.name === 'boolean') return 'boolean';
  if (type.name === 'timestamp' || type.name === 'date') return 'time';
  return 'string';
}
