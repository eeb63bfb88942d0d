/** Where one JSON value sits in a text. */
export interface JsonSpan {
  /** Offset of its first character. */
  readonly start: number;
  /** Offset right after its last character. */
  readonly end: number;
}

/** The layout of a JSON document: an array and its elements, or a single value. */
export type JsonLayout =
  | { readonly kind: 'empty' }
  | { readonly kind: 'value'; readonly span: JsonSpan }
  | {
      readonly kind: 'array';
      readonly elements: readonly JsonSpan[];
      /** Set when the array is not closed, or is followed by more text: where, and what is wrong. */
      readonly problem?: { readonly at: number; readonly message: string };
    };

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Finds the top-level elements of a JSON array (or the single top-level value) without parsing
 * them: it follows strings and bracket depth only, so it also splits an array that holds a broken
 * element, and each element can then be parsed, and reported, on its own.
 */
export function scanJsonLayout(text: string): JsonLayout {
  let i = skipSpace(text, 0);
  if (i >= text.length) return { kind: 'empty' };
  if (text.charCodeAt(i) !== 0x5b /* [ */) return { kind: 'value', span: { start: i, end: trimEnd(text, text.length) } };
  const elements: JsonSpan[] = [];
  i++;
  for (;;) {
    i = skipSpace(text, i);
    if (i >= text.length) return { kind: 'array', elements, problem: { at: text.length, message: 'the array is not closed (missing "]")' } };
    if (text.charCodeAt(i) === 0x5d /* ] */ && elements.length === 0) {
      i++;
      break;
    }
    const start = i;
    const stop = skipValue(text, i);
    elements.push({ start, end: Math.max(start, trimEnd(text, stop)) });
    i = stop;
    if (i >= text.length) return { kind: 'array', elements, problem: { at: text.length, message: 'the array is not closed (missing "]")' } };
    const c = text.charCodeAt(i);
    if (c !== 0x2c /* , */ && c !== 0x5d /* ] */) {
      return { kind: 'array', elements, problem: { at: i, message: `unexpected "${text[i]}" between array elements` } };
    }
    i++;
    if (c === 0x5d /* ] */) break;
  }
  const rest = skipSpace(text, i);
  if (rest < text.length) return { kind: 'array', elements, problem: { at: rest, message: 'unexpected text after the closing "]"' } };
  return { kind: 'array', elements };
}

/** From a value's start, the offset of the comma or `]` that ends it at depth 0 (or the text's end). */
function skipValue(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i++;
      while (i < text.length && text.charCodeAt(i) !== 0x22) {
        if (text.charCodeAt(i) === 0x5c /* \ */) i++;
        i++;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (depth === 0) return i;
      depth--;
    } else if (c === 0x2c /* , */ && depth === 0) {
      return i;
    }
  }
  return text.length;
}

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

function trimEnd(text: string, end: number): number {
  let i = end;
  while (i > 0 && isSpace(text.charCodeAt(i - 1))) i--;
  return i;
}

/** Turns text offsets into 1-based line numbers; offsets must be asked in increasing order. */
export class LineCounter {
  private offset = 0;
  private line = 1;

  constructor(private readonly text: string) {}

  lineAt(offset: number): number {
    for (let i = this.text.indexOf('\n', this.offset); i !== -1 && i < offset; i = this.text.indexOf('\n', i + 1)) this.line++;
    this.offset = Math.max(this.offset, offset);
    return this.line;
  }
}
