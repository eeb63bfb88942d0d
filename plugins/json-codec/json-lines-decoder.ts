import { LineSplitter, type DecodedItem, type StreamDecodeOptions, type StreamDecoder, type StreamPoint } from '@sluice/sdk';
import { parseJson } from './json-text.js';

/** JSON Lines as a stream: one value per line. Blank lines are skipped; a line that is not JSON is a failure. */
export class JsonLinesDecoder implements StreamDecoder {
  private readonly lines: LineSplitter;
  private readonly maxBytes: number;
  private readonly maxBytesName: string;
  private index = 0;
  settled: StreamPoint = { byte: 0, line: 1 };
  readonly dataStart: StreamPoint = { byte: 0, line: 1 };

  constructor(options: StreamDecodeOptions) {
    this.maxBytes = options.maxItemBytes;
    this.maxBytesName = options.maxItemBytesName ?? 'maxItemBytes';
    this.lines = new LineSplitter({ maxLineBytes: this.maxBytes });
  }

  push(chunk: Uint8Array): DecodedItem[] {
    return this.handle(this.lines.push(chunk));
  }

  end(): DecodedItem[] {
    return this.handle(this.lines.end());
  }

  skipTo(point: StreamPoint): void {
    this.lines.reset(point.byte, point.line);
    this.settled = point;
  }

  private handle(lines: ReturnType<LineSplitter['push']>): DecodedItem[] {
    const out: DecodedItem[] = [];
    for (const line of lines) {
      this.settled = { byte: line.end, line: line.number + 1 };
      const position = { index: this.index, line: line.number, lastLine: line.number, end: line.end };
      if (line.oversized) {
        this.index++;
        out.push({ kind: 'failure', ...position, raw: line.text, problem: `line is ${line.bytes} bytes long, more than ${this.maxBytesName} (${this.maxBytes}); the value holds its first ${this.maxBytes} bytes` });
        continue;
      }
      if (line.text.trim() === '') continue;
      this.index++;
      const parsed = parseJson(line.text);
      if ('error' in parsed) out.push({ kind: 'failure', ...position, raw: line.text, problem: `invalid JSON: ${parsed.error}` });
      else out.push({ kind: 'value', ...position, value: parsed.value, text: line.text });
    }
    return out;
  }
}
