import type { SourceRecord } from '@sluice/sdk';
import type { FileOffset } from './file-position.js';
import { isJsonObject, jsonTypeName, type FileReader, type ReadSession } from './file-reader.js';
import { fileFailure, fileRecord } from './file-records.js';
import { LineCounter, scanJsonLayout, type JsonSpan } from './json-document.js';

/** One thing to hand out: an element (record or failure), or a problem with the document itself. */
interface Item {
  readonly index: number;
  readonly line: number;
  readonly last: boolean;
  readonly make: (offset: FileOffset) => SourceRecord;
}

/**
 * JSON: a file holding an array of objects (one record per element) or a single object. The file
 * is parsed whole; elements are located in the text first, so each one reports its own line, and a
 * broken element is a failure of its own while the others still become records.
 */
export class JsonReader implements FileReader {
  progress: FileOffset | undefined;
  private items?: Item[];
  private next = 0;

  constructor(
    private readonly session: ReadSession,
    private readonly maxJsonBytes: number,
  ) {
    this.progress = session.resume;
  }

  async read(max: number): Promise<SourceRecord[]> {
    this.items ??= await this.load();
    const out: SourceRecord[] = [];
    while (out.length < max && this.next < this.items.length) {
      const item = this.items[this.next++];
      const offset: FileOffset = { line: item.line, byte: this.session.size, index: item.index, done: item.last, ...this.session.identity };
      out.push(item.make(offset));
      this.progress = offset;
    }
    return out;
  }

  private async load(): Promise<Item[]> {
    const { session } = this;
    const items = await this.itemsOf();
    const after = session.resume?.index ?? -1;
    const pending = items.filter((item) => item.index > after);
    if (pending.length === 0) {
      // Nothing (left) to hand out: remember the file as read to its end, so it is not parsed again.
      this.progress = { line: session.resume?.line ?? 1, byte: session.size, index: Math.max(after, items.length - 1), done: true, ...session.identity };
    }
    return pending;
  }

  private async itemsOf(): Promise<Item[]> {
    const { session } = this;
    const cut = (text: string) => (text.length > session.maxLineBytes ? text.slice(0, session.maxLineBytes) : text);
    const whole = (line: number, raw: unknown, problem: string): Item[] => [{ index: 0, line, last: true, make: (o) => fileFailure(session, line, o, raw, problem) }];
    if (session.size > this.maxJsonBytes) {
      const head = Buffer.alloc(Math.min(session.size, session.maxLineBytes));
      await session.handle.read(head, 0, head.length, 0);
      return whole(1, head.toString('utf8'), `file is ${session.size} bytes, more than maxJsonBytes (${this.maxJsonBytes}); convert it to JSON Lines (.jsonl) to stream it`);
    }
    const buffer = Buffer.alloc(session.size);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await session.handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    let text = buffer.toString('utf8', 0, filled);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    let parsed: unknown;
    let parsedOk = false;
    try {
      parsed = JSON.parse(text);
      parsedOk = true;
    } catch {
      // Located element by element below.
    }
    const layout = scanJsonLayout(text);
    const lines = new LineCounter(text);
    if (layout.kind === 'empty') return whole(1, '', 'file is empty; expected a JSON array of objects, or one object');
    if (layout.kind === 'value') {
      const line = lines.lineAt(layout.span.start);
      const raw = cut(text.slice(layout.span.start, layout.span.end));
      return [this.element(0, line, true, raw, parsedOk ? { value: parsed } : undefined)];
    }
    const values = parsedOk && Array.isArray(parsed) ? parsed : undefined;
    const problem = layout.problem;
    const items = layout.elements.map((span: JsonSpan, index) => {
      const line = lines.lineAt(span.start);
      const last = index === layout.elements.length - 1 && !problem;
      return this.element(index, line, last, cut(text.slice(span.start, span.end)), values ? { value: values[index] } : undefined, span.start === span.end);
    });
    if (problem) {
      const line = lines.lineAt(problem.at);
      const index = layout.elements.length;
      items.push({ index, line, last: true, make: (o) => fileFailure(session, line, o, cut(text.slice(problem.at)), `invalid JSON: ${problem.message}`) });
    }
    return items;
  }

  /** The item of one element: its value when the whole file parsed, else the element parsed on its own. */
  private element(index: number, line: number, last: boolean, raw: string, known?: { value: unknown }, empty = false): Item {
    const session = this.session;
    let value: unknown;
    let problem: string | undefined;
    if (empty) {
      problem = 'empty array element (a stray comma?)';
    } else if (known) {
      value = known.value;
    } else {
      try {
        value = JSON.parse(raw);
      } catch (error) {
        problem = `invalid JSON: ${(error as Error).message}`;
      }
    }
    if (problem === undefined && !isJsonObject(value)) problem = `expected a JSON object, found ${jsonTypeName(value)}`;
    return {
      index,
      line,
      last,
      make: problem === undefined ? (o) => fileRecord(session, line, o, value as Record<string, unknown>) : (o) => fileFailure(session, line, o, raw, problem as string),
    };
  }
}
