import type { SplitLine as Line } from '@sluice/sdk';

/** One CSV record as it stands in the file: one line, or several when a quoted field holds line breaks. */
export interface CsvRecordText {
  readonly text: string;
  /** Number of its first line. */
  readonly firstLine: number;
  /** Number of its last line. */
  readonly lastLine: number;
  /** Byte offset right after it: where reading resumes. */
  readonly end: number;
  /** One of its lines exceeded `maxLineBytes`, or the record as a whole did. */
  readonly oversized: boolean;
}

export interface CsvSyntax {
  readonly delimiter: string;
  readonly quote: string;
  /** Spaces and tabs before an opening quote are allowed (the `trim` option). */
  readonly trim: boolean;
}

/**
 * Groups lines into CSV records: a line break inside a quoted field continues the record. It tracks
 * only what decides record boundaries (is the scanner inside quotes?), the way RFC 4180 parsers do:
 * a quote opens a quoted field only at the start of a field, and a doubled quote inside one is
 * an escaped quote. The fields themselves are split by csv-parse afterwards.
 */
export class CsvRecordAssembler {
  private readonly delimiter: number;
  private readonly quote: number;
  private parts: string[] = [];
  /** Lines in the open record (0 = none open). */
  private lines = 0;
  private kept = 0;
  private firstLine = 0;
  private bytes = 0;
  private oversized = false;
  private inQuotes = false;
  private lastCrlf = false;

  constructor(
    private readonly syntax: CsvSyntax,
    /** A record longer than this is cut here and reported as oversized (an unclosed quote cannot swallow the rest of the file). */
    private readonly maxRecordBytes: number,
  ) {
    this.delimiter = syntax.delimiter.charCodeAt(0);
    this.quote = syntax.quote.charCodeAt(0);
  }

  /** True while a record is started but not complete (a quoted field is still open). */
  get open(): boolean {
    return this.lines > 0;
  }

  /** Adds a line; returns the record when the line completes one. */
  push(line: Line): CsvRecordText | null {
    const continuing = this.lines > 0;
    if (!continuing) {
      this.firstLine = line.number;
      this.bytes = 0;
      this.kept = 0;
      this.oversized = false;
      this.inQuotes = false;
    } else {
      this.keep(this.lastCrlf ? '\r\n' : '\n');
    }
    this.lines++;
    this.bytes += line.bytes + (continuing ? 1 : 0);
    this.keep(line.text);
    this.lastCrlf = line.crlf;
    if (line.oversized || this.bytes > this.maxRecordBytes) this.oversized = true;
    this.inQuotes = this.scan(line.text, this.inQuotes);
    return this.inQuotes && !this.oversized ? null : this.finish(line);
  }

  /** The open record, if any, at the end of the input (its quoted field was never closed). */
  flush(last: Line | undefined): CsvRecordText | null {
    return this.lines === 0 || !last ? null : this.finish(last);
  }

  private keep(text: string): void {
    const room = this.maxRecordBytes - this.kept;
    if (room <= 0) return;
    const part = text.length <= room ? text : text.slice(0, room);
    this.parts.push(part);
    this.kept += part.length;
  }

  private finish(last: Line): CsvRecordText {
    const record: CsvRecordText = {
      text: this.parts.length === 1 ? this.parts[0] : this.parts.join(''),
      firstLine: this.firstLine,
      lastLine: last.number,
      end: last.end,
      oversized: this.oversized,
    };
    this.parts = [];
    this.lines = 0;
    this.inQuotes = false;
    return record;
  }

  /** Scans one line starting inside quotes or not; returns whether it ends inside quotes. */
  private scan(text: string, startsInQuotes: boolean): boolean {
    let inQuotes = startsInQuotes;
    let fieldStart = !inQuotes;
    const { delimiter, quote } = this;
    const trim = this.syntax.trim;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (inQuotes) {
        if (c === quote) {
          if (text.charCodeAt(i + 1) === quote) i++;
          else inQuotes = false;
        }
      } else if (c === delimiter) {
        fieldStart = true;
      } else if (c === quote && fieldStart) {
        inQuotes = true;
        fieldStart = false;
      } else if (!(trim && fieldStart && (c === 32 || c === 9))) {
        fieldStart = false;
      }
    }
    return inQuotes;
  }
}
