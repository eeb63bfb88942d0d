import type { SourceRecord } from '@sluice/sdk';
import { CsvRecordAssembler, type CsvRecordText } from './csv-record-assembler.js';
import { csvErrorMessage, CsvRowDecoder } from './csv-row-decoder.js';
import type { FileOffset } from './file-position.js';
import { isBlank, type FileReader, type ReadSession } from './file-reader.js';
import { fileFailure, fileRecord } from './file-records.js';
import type { CsvOptionsConfig } from './file-source.config.js';
import { LineReader, type Line } from './line-reader.js';

/** The header row of a file: its columns (or why they are unusable) and where the data starts. */
interface Header {
  readonly columns?: readonly string[];
  readonly error?: string;
  /** The header record itself (absent with `header: false`). */
  readonly record?: CsvRecordText;
}

/**
 * CSV: a header row (or configured column names), then one record per row. Lines are streamed and
 * grouped into records (quoted fields may span lines), and each batch of records is split into
 * fields by csv-parse. Rows that are malformed or do not have as many fields as there are columns
 * are failures naming file and line.
 */
export class CsvReader implements FileReader {
  progress: FileOffset | undefined;
  private readonly decoder: CsvRowDecoder;
  private lines?: LineReader;
  private assembler: CsvRecordAssembler;
  private header?: Header;
  private headerFailurePending = false;
  private lastLine?: Line;
  private exhausted = false;

  constructor(
    private readonly session: ReadSession,
    private readonly options: CsvOptionsConfig,
  ) {
    this.progress = session.resume;
    this.decoder = new CsvRowDecoder(options);
    this.assembler = this.newAssembler();
  }

  async read(max: number): Promise<SourceRecord[]> {
    const out: SourceRecord[] = [];
    if (!this.header && !(await this.prepare())) return out;
    const header = this.header as Header;
    if (this.headerFailurePending && header.record) {
      this.headerFailurePending = false;
      const record = header.record;
      out.push(fileFailure(this.session, record.firstLine, this.offsetAfter(record), record.text, header.error as string));
    }
    while (out.length < max && !this.exhausted) {
      const texts = await this.gather(max - out.length);
      if (texts.length === 0) break;
      this.decode(texts, header, out);
    }
    return out;
  }

  /** Reads the header (when the file has one) and positions the line reader; false when the header is not complete yet. */
  private async prepare(): Promise<boolean> {
    const { session, options } = this;
    let dataStart = { byte: 0, line: 1 };
    if (options.header) {
      const record = await this.readHeaderRecord();
      if (!record) return false;
      const parsed = record.oversized ? new Error('header row longer than maxLineBytes') : this.decoder.split([record.text])[0];
      const outcome = parsed instanceof Error ? { error: `invalid header: ${csvErrorMessage(parsed)}` } : CsvRowDecoder.header(parsed);
      this.header = { ...outcome, record };
      dataStart = { byte: record.end, line: record.lastLine + 1 };
      const resumedPastHeader = session.resume !== undefined && session.resume.byte >= record.end;
      if (!resumedPastHeader) {
        this.progress = this.offsetAfter(record);
        this.headerFailurePending = 'error' in outcome;
      }
    } else {
      this.header = { columns: options.columns ?? [] };
    }
    const resume = session.resume && session.resume.byte >= dataStart.byte ? { byte: session.resume.byte, line: session.resume.line + 1 } : dataStart;
    this.assembler = this.newAssembler();
    this.lines = new LineReader(session.handle, { start: resume.byte, firstLine: resume.line, limit: session.size, final: session.final, maxLineBytes: session.maxLineBytes });
    return true;
  }

  /** The first non-blank record of the file, or null when it is not complete yet. */
  private async readHeaderRecord(): Promise<CsvRecordText | null> {
    const { session } = this;
    const lines = new LineReader(session.handle, { start: 0, firstLine: 1, limit: session.size, final: session.final, maxLineBytes: session.maxLineBytes });
    const assembler = this.newAssembler();
    let last: Line | undefined;
    for (;;) {
      const line = await lines.next();
      if (line === null) return session.final ? assembler.flush(last) : null;
      last = line;
      if (!assembler.open && isBlank(line.text)) continue;
      const record = assembler.push(line);
      if (record) return record;
    }
  }

  /** Up to `max` complete records from the line reader. */
  private async gather(max: number): Promise<CsvRecordText[]> {
    const texts: CsvRecordText[] = [];
    const lines = this.lines as LineReader;
    while (texts.length < max) {
      const line = await lines.next();
      if (line === null) {
        const tail = this.session.final ? this.assembler.flush(this.lastLine) : null;
        if (tail) texts.push(tail);
        this.exhausted = true;
        break;
      }
      this.lastLine = line;
      if (!this.assembler.open && isBlank(line.text)) {
        this.progress = { line: line.number, byte: line.end, ...this.session.identity };
        continue;
      }
      const record = this.assembler.push(line);
      if (record) texts.push(record);
    }
    return texts;
  }

  private decode(texts: readonly CsvRecordText[], header: Header, out: SourceRecord[]): void {
    const session = this.session;
    const parseable = texts.filter((t) => !t.oversized && header.columns).map((t) => t.text);
    const fields = this.decoder.split(parseable);
    let next = 0;
    for (const text of texts) {
      const offset = this.offsetAfter(text);
      if (text.oversized) {
        out.push(fileFailure(session, text.firstLine, offset, text.text, `record is longer than maxLineBytes (${session.maxLineBytes} bytes; an unclosed quote?); the value holds its first ${session.maxLineBytes} characters`));
      } else if (!header.columns) {
        out.push(fileFailure(session, text.firstLine, offset, text.text, `cannot map the row to columns: ${header.error} (line ${header.record?.firstLine})`));
      } else {
        const parsed = fields[next++];
        if (parsed instanceof Error) {
          out.push(fileFailure(session, text.firstLine, offset, text.text, csvErrorMessage(parsed)));
        } else {
          const row = this.decoder.toObject(parsed, header.columns);
          if ('value' in row) out.push(fileRecord(session, text.firstLine, offset, row.value));
          else out.push(fileFailure(session, text.firstLine, offset, text.text, row.error));
        }
      }
      if (this.progress === undefined || offset.byte > this.progress.byte) this.progress = offset;
    }
  }

  private offsetAfter(record: CsvRecordText): FileOffset {
    return { line: record.lastLine, byte: record.end, ...this.session.identity };
  }

  private newAssembler(): CsvRecordAssembler {
    return new CsvRecordAssembler(this.options, this.session.maxLineBytes);
  }
}
