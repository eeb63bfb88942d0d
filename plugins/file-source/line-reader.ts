import type { FileHandle } from 'node:fs/promises';

/** One line of a file. */
export interface Line {
  /** The text without its line break (and without a UTF-8 byte order mark at the start of the file). */
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

export interface LineReaderOptions {
  /** Byte offset to start at: 0, or the `end` of a line read before. */
  readonly start: number;
  /** Number of the line that starts at `start`. */
  readonly firstLine: number;
  /** Read no further than this byte offset (the file size when the read began). */
  readonly limit: number;
  /**
   * Whether text after the last line break is a line of its own. True when the file is complete;
   * false while a writer may still be appending to it (the partial line is left for later).
   */
  readonly final: boolean;
  readonly maxLineBytes: number;
  /** Bytes per read from disk. */
  readonly chunkBytes?: number;
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);

/**
 * Reads a file line by line with exact byte offsets, holding at most one chunk plus one line in
 * memory. Lines are split on `\n` (a preceding `\r` is dropped), which is safe in UTF-8.
 */
export class LineReader {
  private pending: Buffer = EMPTY;
  /** File offset of `pending[0]`. */
  private position: number;
  /** File offset of the next read from disk. */
  private readPosition: number;
  private lineNumber: number;
  private readonly chunk: Buffer;
  private bomChecked: boolean;

  constructor(
    private readonly handle: FileHandle,
    private readonly options: LineReaderOptions,
  ) {
    this.position = options.start;
    this.readPosition = options.start;
    this.lineNumber = options.firstLine;
    this.chunk = Buffer.allocUnsafe(options.chunkBytes ?? 65_536);
    this.bomChecked = options.start > 0;
  }

  /** Where the next line starts (the `end` of the last line returned). */
  get offset(): number {
    return this.position;
  }

  /** The number of the next line. */
  get nextLineNumber(): number {
    return this.lineNumber;
  }

  /** The next line, or null when no further complete line is available. */
  async next(): Promise<Line | null> {
    const max = this.options.maxLineBytes;
    let scanFrom = 0;
    for (;;) {
      const at = this.pending.indexOf(NEWLINE, scanFrom);
      if (at >= 0) return this.take(at, at + 1);
      if (this.pending.length > max) return this.skipOversized();
      scanFrom = this.pending.length;
      if (!(await this.fill())) {
        if (this.pending.length > 0 && this.options.final) return this.take(this.pending.length, this.pending.length);
        return null;
      }
    }
  }

  /** Reads the next chunk into `pending`; false at the limit. */
  private async fill(): Promise<boolean> {
    const wanted = Math.min(this.chunk.length, this.options.limit - this.readPosition);
    if (wanted <= 0) return false;
    const { bytesRead } = await this.handle.read(this.chunk, 0, wanted, this.readPosition);
    if (bytesRead === 0) return false;
    this.readPosition += bytesRead;
    const fresh = this.chunk.subarray(0, bytesRead);
    this.pending = this.pending.length === 0 ? Buffer.from(fresh) : Buffer.concat([this.pending, fresh]);
    if (!this.bomChecked && this.pending.length >= 3) this.stripBom();
    return true;
  }

  private stripBom(): void {
    this.bomChecked = true;
    if (this.pending[0] === 0xef && this.pending[1] === 0xbb && this.pending[2] === 0xbf) {
      this.pending = this.pending.subarray(3);
      this.position += 3;
    }
  }

  /** Cuts the line `pending[0, textEnd)` whose line break ends at `breakEnd`. */
  private take(textEnd: number, breakEnd: number): Line {
    const crlf = textEnd > 0 && this.pending[textEnd - 1] === CR;
    const contentEnd = crlf ? textEnd - 1 : textEnd;
    const oversized = contentEnd > this.options.maxLineBytes;
    const line: Line = {
      text: this.pending.toString('utf8', 0, oversized ? this.options.maxLineBytes : contentEnd),
      number: this.lineNumber,
      start: this.position,
      end: this.position + breakEnd,
      crlf: crlf && !oversized,
      oversized,
      bytes: contentEnd,
    };
    this.pending = this.pending.subarray(breakEnd);
    this.position += breakEnd;
    this.lineNumber++;
    return line;
  }

  /**
   * The line in `pending` is longer than allowed: keep its first `maxLineBytes` bytes, drop the rest
   * up to its line break while reading on, and return it flagged `oversized`.
   */
  private async skipOversized(): Promise<Line | null> {
    const max = this.options.maxLineBytes;
    const start = this.position;
    const head = Buffer.from(this.pending.subarray(0, max));
    let dropped = 0;
    let scanFrom = max;
    for (;;) {
      const at = this.pending.indexOf(NEWLINE, scanFrom);
      if (at >= 0) {
        const crlf = at > 0 && this.pending[at - 1] === CR;
        const bytes = dropped + at - (crlf ? 1 : 0);
        this.pending = this.pending.subarray(at + 1);
        this.position = start + dropped + at + 1;
        return this.oversizedLine(head, start, bytes);
      }
      // Keep one byte in case it is the `\r` of a `\r\n` split across chunks.
      const keep = this.pending.length - 1;
      dropped += keep;
      this.pending = this.pending.subarray(keep);
      scanFrom = 0;
      if (!(await this.fill())) {
        if (!this.options.final) {
          // The line is not complete yet: give it up for now and resume at its start next time.
          this.pending = EMPTY;
          this.position = start;
          this.readPosition = start;
          return null;
        }
        const bytes = dropped + this.pending.length;
        this.position = start + bytes;
        this.pending = EMPTY;
        return this.oversizedLine(head, start, bytes);
      }
    }
  }

  private oversizedLine(head: Buffer, start: number, bytes: number): Line {
    const line: Line = {
      text: head.toString('utf8'),
      number: this.lineNumber,
      start,
      end: this.position,
      crlf: false,
      oversized: true,
      bytes,
    };
    this.lineNumber++;
    return line;
  }
}
