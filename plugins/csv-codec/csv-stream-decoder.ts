import { LineSplitter, type DecodedItem, type SplitLine, type StreamDecodeOptions, type StreamDecoder, type StreamPoint } from '@sluice/sdk';
import type { CsvCodecConfig } from './csv-codec.config.js';
import { CsvRecordAssembler, type CsvRecordText } from './csv-record-assembler.js';
import { csvErrorMessage, CsvRowDecoder } from './csv-row-decoder.js';

/** The columns of the data, or why its header row is unusable (and on which line it is). */
interface Header {
  readonly columns?: readonly string[];
  readonly error?: string;
  readonly line?: number;
}

/** Whitespace-only lines outside quoted fields hold no record; they are skipped. */
const isBlank = (text: string) => text.trim() === '';

/**
 * CSV as a stream: a header row (or configured column names), then one record per row. Lines are
 * split as they arrive and grouped into records (quoted fields may span lines); the records a chunk
 * completes are split into fields by csv-parse in one call. Rows that are malformed or do not have
 * as many fields as there are columns are failures; so is an unusable header row, once.
 */
export class CsvStreamDecoder implements StreamDecoder {
  private readonly lines: LineSplitter;
  private readonly rows: CsvRowDecoder;
  private readonly maxBytes: number;
  private readonly maxBytesName: string;
  private assembler: CsvRecordAssembler;
  private header: Header | undefined;
  private lastLine: SplitLine | undefined;
  private index = 0;
  settled: StreamPoint = { byte: 0, line: 1 };
  dataStart: StreamPoint | undefined;

  constructor(
    private readonly options: CsvCodecConfig,
    limits: StreamDecodeOptions,
  ) {
    this.maxBytes = limits.maxItemBytes;
    this.maxBytesName = limits.maxItemBytesName ?? 'maxItemBytes';
    this.lines = new LineSplitter({ maxLineBytes: this.maxBytes });
    this.rows = new CsvRowDecoder(options);
    this.assembler = this.newAssembler();
    if (!options.header) {
      this.header = { columns: options.columns ?? [] };
      this.dataStart = { byte: 0, line: 1 };
    }
  }

  push(chunk: Uint8Array): DecodedItem[] {
    return this.handle(this.lines.push(chunk), false);
  }

  end(): DecodedItem[] {
    return this.handle(this.lines.end(), true);
  }

  skipTo(point: StreamPoint): void {
    this.lines.reset(point.byte, point.line);
    this.assembler = this.newAssembler();
    this.lastLine = undefined;
    this.settled = point;
  }

  private handle(lines: readonly SplitLine[], atEnd: boolean): DecodedItem[] {
    const out: DecodedItem[] = [];
    const texts: CsvRecordText[] = [];
    const take = (record: CsvRecordText) => {
      this.settled = { byte: record.end, line: record.lastLine + 1 };
      if (this.header) texts.push(record);
      else this.readHeader(record, out);
    };
    for (const line of lines) {
      this.lastLine = line;
      if (!this.assembler.open && isBlank(line.text)) {
        this.settled = { byte: line.end, line: line.number + 1 };
        continue;
      }
      const record = this.assembler.push(line);
      if (record) take(record);
    }
    if (atEnd) {
      const tail = this.assembler.flush(this.lastLine);
      if (tail) take(tail);
    }
    this.decode(texts, out);
    return out;
  }

  private readHeader(record: CsvRecordText, out: DecodedItem[]): void {
    const parsed = record.oversized ? new Error(`header row longer than ${this.maxBytesName}`) : this.rows.split([record.text])[0];
    const outcome = parsed instanceof Error ? { error: `invalid header: ${csvErrorMessage(parsed)}` } : CsvRowDecoder.header(parsed);
    this.header = { ...outcome, line: record.firstLine };
    this.dataStart = { byte: record.end, line: record.lastLine + 1 };
    if ('error' in outcome) out.push({ kind: 'failure', ...this.position(record), raw: record.text, problem: outcome.error });
  }

  private decode(texts: readonly CsvRecordText[], out: DecodedItem[]): void {
    if (texts.length === 0) return;
    const header = this.header as Header;
    const columns = header.columns;
    const fields = columns ? this.rows.split(texts.filter((t) => !t.oversized).map((t) => t.text)) : [];
    let next = 0;
    for (const text of texts) {
      const position = this.position(text);
      const fail = (problem: string) => out.push({ kind: 'failure', ...position, raw: text.text, problem });
      if (text.oversized) {
        fail(`record is longer than ${this.maxBytesName} (${this.maxBytes} bytes; an unclosed quote?); the value holds its first ${this.maxBytes} characters`);
      } else if (!columns) {
        fail(`cannot map the row to columns: ${header.error} (line ${header.line})`);
      } else {
        const parsed = fields[next++];
        if (parsed instanceof Error) {
          fail(csvErrorMessage(parsed));
        } else {
          const row = this.rows.toObject(parsed, columns);
          if ('value' in row) out.push({ kind: 'value', ...position, value: row.value, text: text.text });
          else fail(row.error);
        }
      }
    }
  }

  private position(record: CsvRecordText) {
    return { index: this.index++, line: record.firstLine, lastLine: record.lastLine, end: record.end };
  }

  private newAssembler(): CsvRecordAssembler {
    return new CsvRecordAssembler(this.options, this.maxBytes);
  }
}
