import { parse } from 'csv-parse/sync';
import type { CsvCodecConfig } from './csv-codec.config.js';

/** A row turned into an object, or the reason it could not be. */
export type RowOutcome = { readonly value: Record<string, unknown> } | { readonly error: string };

/** The columns of a file, or why its header row is unusable. */
export type HeaderOutcome = { readonly columns: readonly string[] } | { readonly error: string };

/** Integers and decimals without leading zeros (`0`, `-12`, `3.25`, `1e6`); not `007`, `1.`, `.5` or `+1`. */
const DECIMAL_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const INTEGER = /^-?\d+$/;

/**
 * Splits CSV record texts into fields with csv-parse and maps them onto the column names. Record
 * boundaries are already known (see CsvRecordAssembler), so a batch of records is parsed in one
 * call; when that call fails, the records are parsed one by one to tell the bad ones from the good.
 */
export class CsvRowDecoder {
  private readonly parseOptions;

  constructor(private readonly options: Pick<CsvCodecConfig, 'delimiter' | 'quote' | 'trim' | 'castNumbers' | 'emptyAsNull'>) {
    this.parseOptions = {
      delimiter: options.delimiter,
      quote: options.quote,
      escape: options.quote,
      record_delimiter: '\n',
      relax_column_count: true,
      skip_empty_lines: false,
      bom: false,
      trim: options.trim,
    };
  }

  /** The fields of each record text, or the parse error of that record. */
  split(texts: readonly string[]): Array<string[] | Error> {
    if (texts.length === 0) return [];
    try {
      const rows = parse(texts.join('\n'), this.parseOptions) as string[][];
      if (rows.length === texts.length) return rows;
    } catch {
      // One of the records is malformed: find out which, below.
    }
    return texts.map((text) => {
      try {
        const rows = parse(text, this.parseOptions) as string[][];
        if (rows.length === 1) return rows[0];
        return new Error(`holds ${rows.length} records where one was expected`);
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
    });
  }

  /** Checks a header row: every column needs a name, and names must be unique. */
  static header(fields: readonly string[]): HeaderOutcome {
    const seen = new Map<string, number>();
    for (let i = 0; i < fields.length; i++) {
      const name = fields[i];
      if (name.trim() === '') return { error: `invalid header: column ${i + 1} has no name` };
      const before = seen.get(name);
      if (before !== undefined) return { error: `invalid header: column name "${name}" is used twice (columns ${before} and ${i + 1})` };
      seen.set(name, i + 1);
    }
    return { columns: [...fields] };
  }

  /** The object of one row, or why the row does not fit the columns. */
  toObject(fields: readonly string[], columns: readonly string[]): RowOutcome {
    if (fields.length !== columns.length) {
      return { error: `expected ${columns.length} columns (${columns.join(', ')}), found ${fields.length}` };
    }
    const value: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) value[columns[i]] = this.convert(fields[i]);
    return { value };
  }

  private convert(field: string): unknown {
    if (field === '') return this.options.emptyAsNull ? null : '';
    if (this.options.castNumbers && DECIMAL_NUMBER.test(field)) {
      const number = Number(field);
      if (Number.isFinite(number) && (!INTEGER.test(field) || Number.isSafeInteger(number))) return number;
    }
    return field;
  }
}

/** A csv-parse error message without its position inside the snippet it was given (the caller names file and line). */
export function csvErrorMessage(error: Error): string {
  const code = (error as { code?: unknown }).code;
  const message = error.message.replace(/ at line \d+/g, '').replace(/ on line \d+/g, '');
  return typeof code === 'string' ? `malformed CSV (${code}): ${message}` : `malformed CSV: ${message}`;
}
