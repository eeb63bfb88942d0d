import { StringDecoder } from 'node:string_decoder';
import type { DecodedItem, StreamDecodeOptions, StreamDecoder, StreamPoint } from '@sluice/sdk';
import { parseJson } from './json-text.js';

/**
 * Where the scanner is: before the first value, inside a top-level value that is not an array,
 * between array elements, inside one, after the closing `]`, or in text that follows a problem.
 */
type State = 'lead' | 'value' | 'between' | 'element' | 'after' | 'problem';

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** UTF-8 length of a UTF-16 code unit (a surrogate pair counts 2 + 2). */
const utf8Bytes = (c: number) => (c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3);

/** A piece of text being collected (an element, a value, the rest after a problem), up to a limit. */
class Collected {
  private parts: string[] = [];
  chars = 0;
  bytes = 0;
  over = false;

  constructor(
    readonly line: number,
    private readonly maxChars: number,
  ) {}

  add(text: string, bytes: number): void {
    this.bytes += bytes;
    const room = this.maxChars - this.chars;
    if (room <= 0) {
      if (text.length > 0) this.over = true;
      return;
    }
    const part = text.length <= room ? text : text.slice(0, room);
    if (part.length < text.length) this.over = true;
    this.parts.push(part);
    this.chars += part.length;
  }

  text(): string {
    return this.parts.join('').replace(/[ \t\r\n]+$/, '');
  }
}

/**
 * A JSON document as a stream: an array, one item per element, or a single value. It follows only
 * strings and bracket depth to find where each element ends, so it holds one element at a time, a
 * broken element is a failure of its own while the others still decode, and every item reports the
 * line it starts on. Problems of the document itself (an unclosed array, text after it) come last.
 */
export class JsonDocumentDecoder implements StreamDecoder {
  private readonly text = new StringDecoder('utf8');
  private readonly maxItemBytes: number;
  private readonly maxItemBytesName: string;
  private readonly maxFailureChars: number;
  private state: State = 'lead';
  private line = 1;
  private byte = 0;
  private index = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private started = false;
  private current: Collected | undefined;
  private problem: { readonly message: string; readonly line: number } | undefined;
  settled: StreamPoint = { byte: 0, line: 1 };
  readonly dataStart: StreamPoint = { byte: 0, line: 1 };

  constructor(options: StreamDecodeOptions) {
    this.maxItemBytes = options.maxItemBytes;
    this.maxItemBytesName = options.maxItemBytesName ?? 'maxItemBytes';
    this.maxFailureChars = options.maxFailureBytes ?? options.maxItemBytes;
  }

  push(chunk: Uint8Array): DecodedItem[] {
    return this.scan(this.text.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)));
  }

  end(): DecodedItem[] {
    const out = this.scan(this.text.end());
    switch (this.state) {
      case 'lead':
        out.push(this.failure(1, '', 'file is empty; expected a JSON array of objects, or one object'));
        break;
      case 'value':
        out.push(this.item(this.current as Collected));
        break;
      case 'element':
        out.push(this.item(this.current as Collected));
        out.push(this.failure(this.line, '', 'invalid JSON: the array is not closed (missing "]")'));
        break;
      case 'between':
        out.push(this.failure(this.line, '', 'invalid JSON: the array is not closed (missing "]")'));
        break;
      case 'problem': {
        const rest = this.current as Collected;
        out.push(this.failure(rest.line, rest.text(), `invalid JSON: ${this.problem?.message}`));
        break;
      }
      case 'after':
        break;
    }
    this.state = 'after';
    this.current = undefined;
    return out;
  }

  skipTo(): void {
    throw new Error('a JSON document is decoded from its start: it cannot resume inside itself');
  }

  private scan(text: string): DecodedItem[] {
    const out: DecodedItem[] = [];
    let i = 0;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) {
        i = 1;
        this.byte += 3;
      }
    }
    /** Start of the text of `this.current` in `text` not yet added to it. */
    let from = i;
    let fromBytes = this.byte;
    const flush = (to: number) => {
      this.current?.add(text.slice(from, to), this.byte - fromBytes);
      from = to;
      fromBytes = this.byte;
    };
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      switch (this.state) {
        case 'lead':
          if (isSpace(c)) break;
          from = i;
          fromBytes = this.byte;
          if (c === 0x5b /* [ */) {
            this.state = 'between';
          } else {
            this.state = 'value';
            this.current = this.collect();
          }
          break;
        case 'between':
          if (isSpace(c)) break;
          if (c === 0x5d /* ] */ && this.index === 0) {
            this.state = 'after';
            break;
          }
          this.beginElement();
          from = i;
          fromBytes = this.byte;
          if (this.endsElement(c)) {
            out.push(this.finishElement(c));
            if ((this.state as State) === 'problem') {
              from = i;
              fromBytes = this.byte;
            }
          }
          break;
        case 'element':
          if (this.endsElement(c)) {
            flush(i);
            out.push(this.finishElement(c));
            from = i;
            fromBytes = this.byte;
          }
          break;
        case 'after':
          if (isSpace(c)) break;
          this.startProblem('unexpected text after the closing "]"');
          from = i;
          fromBytes = this.byte;
          break;
        case 'value':
        case 'problem':
          break;
      }
      if (c === 0x0a) this.line++;
      this.byte += utf8Bytes(c);
    }
    if (this.current && (this.state === 'element' || this.state === 'value' || this.state === 'problem')) flush(text.length);
    return out;
  }

  /** A collector for an element or a value: it holds up to maxItemBytes (and at least what a failure shows). */
  private collect(): Collected {
    return new Collected(this.line, Math.max(this.maxItemBytes, this.maxFailureChars));
  }

  private beginElement(): void {
    this.state = 'element';
    this.current = this.collect();
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
  }

  /** Follows strings and depth; true when `c` ends the element (a `,`, `]` or `}` at depth 0). */
  private endsElement(c: number): boolean {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (c === 0x5c /* \ */) this.escaped = true;
      else if (c === 0x22 /* " */) this.inString = false;
      return false;
    }
    if (c === 0x22) {
      this.inString = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      this.depth++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (this.depth === 0) return true;
      this.depth--;
    } else if (c === 0x2c /* , */ && this.depth === 0) {
      return true;
    }
    return false;
  }

  /** The element ended at `c`: its item, and the state `c` leads to. */
  private finishElement(c: number): DecodedItem {
    const element = this.current as Collected;
    const item = element.chars === 0 && element.bytes === 0 ? this.failure(element.line, '', 'empty array element (a stray comma?)') : this.item(element);
    this.current = undefined;
    if (c === 0x2c) this.state = 'between';
    else if (c === 0x5d) this.state = 'after';
    else this.startProblem(`unexpected "${String.fromCharCode(c)}" between array elements`);
    return item;
  }

  private startProblem(message: string): void {
    this.state = 'problem';
    this.problem = { message, line: this.line };
    this.current = new Collected(this.line, this.maxFailureChars);
  }

  /** The item of a collected element or value: its value, or why it has none. */
  private item(collected: Collected): DecodedItem {
    const text = collected.text();
    const shown = text.length > this.maxFailureChars ? text.slice(0, this.maxFailureChars) : text;
    if (collected.over && collected.bytes > this.maxItemBytes) {
      return this.failure(collected.line, shown, `element is ${collected.bytes} bytes long, more than ${this.maxItemBytesName} (${this.maxItemBytes}); the value holds its first ${this.maxFailureChars} characters`);
    }
    const parsed = parseJson(text);
    if ('error' in parsed) return this.failure(collected.line, shown, `invalid JSON: ${parsed.error}`);
    return this.settle({ kind: 'value', index: this.index++, line: collected.line, lastLine: this.line, end: this.byte, value: parsed.value, text: shown });
  }

  private failure(line: number, raw: string, problem: string): DecodedItem {
    return this.settle({ kind: 'failure', index: this.index++, line, lastLine: this.line, end: this.byte, raw, problem });
  }

  private settle(item: DecodedItem): DecodedItem {
    this.settled = { byte: item.end, line: this.line };
    return item;
  }
}
