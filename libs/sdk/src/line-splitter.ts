/** One line of a byte stream. */
export interface SplitLine {
  /** The text without its line break (and without a UTF-8 byte order mark at the start of the stream). */
  readonly text: string;
  /** 1-based line number. */
  readonly number: number;
  /** Byte offset of the start of the line. */
  readonly start: number;
  /** Byte offset right after the line and its line break: where reading resumes. */
  readonly end: number;
  /** The line ended with `\r\n`. */
  readonly crlf: boolean;
  /** The line was longer than `maxLineBytes`: `text` holds only its first `maxLineBytes` bytes. */
  readonly oversized: boolean;
  /** The line's full length in bytes (without the line break). */
  readonly bytes: number;
}

export interface LineSplitterOptions {
  /** Longest line held in memory; a longer one is returned once, cut, and flagged `oversized`. */
  readonly maxLineBytes: number;
  /** Byte offset of the first byte pushed (default 0, the start of the stream). */
  readonly start?: number;
  /** Number of the line starting there (default 1). */
  readonly firstLine?: number;
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);

/** An oversized line being skipped: its first bytes, where it started, how many bytes it had so far. */
interface Skipping {
  readonly head: Buffer;
  readonly start: number;
  bytes: number;
  lastWasCr: boolean;
}

/**
 * Splits a byte stream pushed in chunks into lines with exact byte offsets, holding at most one
 * chunk plus one line. Lines end at `\n` (a preceding `\r` is dropped), which is safe in UTF-8: a
 * chunk may end inside a line or inside a multi-byte character. For codec authors.
 */
export class LineSplitter {
  private pending: Buffer = EMPTY;
  /** Stream offset of `pending[0]`. */
  private position: number;
  private lineNumber: number;
  private bomChecked: boolean;
  private skipping: Skipping | undefined;

  constructor(private readonly options: LineSplitterOptions) {
    this.position = options.start ?? 0;
    this.lineNumber = options.firstLine ?? 1;
    this.bomChecked = this.position > 0;
  }

  /** The number of the next line. */
  get nextLineNumber(): number {
    return this.lineNumber;
  }

  /** The lines `chunk` completes. */
  push(chunk: Uint8Array): SplitLine[] {
    if (chunk.length === 0) return [];
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    if (!this.bomChecked) {
      if (this.pending.length < 3) return [];
      this.stripBom();
    }
    return this.drain();
  }

  /** The end of the stream: the last line when it has no line break. */
  end(): SplitLine[] {
    const skipping = this.skipping;
    if (skipping) {
      this.skipping = undefined;
      this.position += this.pending.length;
      const bytes = skipping.bytes + this.pending.length;
      this.pending = EMPTY;
      return [this.line(skipping.head.toString('utf8'), skipping.start, this.position, false, true, bytes)];
    }
    if (this.pending.length === 0) return [];
    return [this.take(this.pending.length, this.pending.length)];
  }

  /** Continues at another point of the stream, dropping what is pending: the next bytes pushed start there. */
  reset(start: number, firstLine: number): void {
    this.pending = EMPTY;
    this.skipping = undefined;
    this.position = start;
    this.lineNumber = firstLine;
    this.bomChecked = start > 0;
  }

  private stripBom(): void {
    this.bomChecked = true;
    if (this.pending[0] === 0xef && this.pending[1] === 0xbb && this.pending[2] === 0xbf) {
      this.pending = this.pending.subarray(3);
      this.position += 3;
    }
  }

  private drain(): SplitLine[] {
    const lines: SplitLine[] = [];
    const max = this.options.maxLineBytes;
    for (;;) {
      const skipping = this.skipping;
      const at = this.pending.indexOf(NEWLINE);
      if (skipping) {
        if (at < 0) {
          skipping.bytes += this.pending.length;
          skipping.lastWasCr = this.pending[this.pending.length - 1] === CR;
          this.position += this.pending.length;
          this.pending = EMPTY;
          return lines;
        }
        const crlf = at > 0 ? this.pending[at - 1] === CR : skipping.lastWasCr;
        const bytes = skipping.bytes + at - (crlf ? 1 : 0);
        this.position += at + 1;
        this.pending = this.pending.subarray(at + 1);
        this.skipping = undefined;
        lines.push(this.line(skipping.head.toString('utf8'), skipping.start, this.position, false, true, bytes));
        continue;
      }
      if (at >= 0) {
        lines.push(this.take(at, at + 1));
        continue;
      }
      if (this.pending.length > max) {
        // Too long to hold: keep its first bytes and drop the rest up to its line break.
        this.skipping = {
          head: Buffer.from(this.pending.subarray(0, max)),
          start: this.position,
          bytes: this.pending.length,
          lastWasCr: this.pending[this.pending.length - 1] === CR,
        };
        this.position += this.pending.length;
        this.pending = EMPTY;
      }
      return lines;
    }
  }

  /** Cuts the line `pending[0, textEnd)` whose line break ends at `breakEnd`. */
  private take(textEnd: number, breakEnd: number): SplitLine {
    const crlf = textEnd > 0 && this.pending[textEnd - 1] === CR;
    const contentEnd = crlf ? textEnd - 1 : textEnd;
    const oversized = contentEnd > this.options.maxLineBytes;
    const text = this.pending.toString('utf8', 0, oversized ? this.options.maxLineBytes : contentEnd);
    const start = this.position;
    this.pending = this.pending.subarray(breakEnd);
    this.position += breakEnd;
    return this.line(text, start, this.position, crlf && !oversized, oversized, contentEnd);
  }

  private line(text: string, start: number, end: number, crlf: boolean, oversized: boolean, bytes: number): SplitLine {
    return { text, number: this.lineNumber++, start, end, crlf, oversized, bytes };
  }
}
