import { describeError, kindOfValue, RecordError, type EncodedBatch, type StreamEncoder } from '@sluice/sdk';
import { stringify } from 'csv-stringify/sync';
import type { CsvCodecConfig } from './csv-codec.config.js';

/** A field's text: strings as they are, null and undefined empty, objects and arrays as JSON. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

/**
 * Writes objects as CSV rows, one per line (`\n`), quoting fields that hold the delimiter, the
 * quote or a line break. The columns are the configured ones, else the fields of the first object
 * written; with `header: true` the first part of a stream starts with the header row. A value that
 * is not an object, or has fields outside the columns, is refused (nothing is dropped silently).
 */
export class CsvStreamEncoder implements StreamEncoder {
  private columns: readonly string[] | undefined;

  constructor(private readonly options: CsvCodecConfig) {
    this.columns = options.columns;
  }

  encode(values: readonly unknown[], atStart: boolean): EncodedBatch {
    const rows: string[][] = [];
    const failed: Array<{ index: number; error: RecordError }> = [];
    values.forEach((value, index) => {
      const row = this.row(value);
      if (row instanceof RecordError) failed.push({ index, error: row });
      else rows.push(row);
    });
    if (rows.length === 0) return { data: Buffer.alloc(0), failed };
    if (atStart && this.options.header) rows.unshift([...(this.columns ?? [])]);
    return { data: Buffer.from(this.stringify(rows), 'utf8'), failed };
  }

  finish(): Buffer {
    return Buffer.alloc(0);
  }

  /** One row for a message: its header row first when the codec has one. */
  message(value: unknown): string {
    const row = this.row(value);
    if (row instanceof RecordError) throw row;
    return this.stringify(this.options.header ? [[...(this.columns ?? [])], row] : [row]);
  }

  private row(value: unknown): string[] | RecordError {
    if (!isPlainObject(value)) return new RecordError(`a CSV row is made from an object, not from ${kindOfValue(value)}`);
    this.columns ??= Object.keys(value);
    const columns = this.columns;
    const extra = Object.keys(value).filter((name) => !columns.includes(name));
    if (extra.length > 0) return new RecordError(`fields ${extra.map((n) => `"${n}"`).join(', ')} are not columns of this CSV (${columns.join(', ')})`);
    try {
      return columns.map((name) => cell(value[name]));
    } catch (error) {
      return new RecordError(`a field has no CSV form: ${describeError(error)}`);
    }
  }

  /** Rows as CSV text (RFC 4180 quoting by csv-stringify, rows ending in `\n`). */
  private stringify(rows: string[][]): string {
    const { delimiter, quote } = this.options;
    const options = { delimiter, quote, record_delimiter: 'unix' } as const;
    // A row of one empty field is quoted: an empty line would read back as no row at all. Such
    // rows are rare: only then is each row stringified on its own.
    const lone = (row: string[]) => row.length === 1 && row[0] === '';
    if (!rows.some(lone)) return stringify(rows, options);
    return rows.map((row) => (lone(row) ? `${quote}${quote}\n` : stringify([row], options))).join('');
  }
}
