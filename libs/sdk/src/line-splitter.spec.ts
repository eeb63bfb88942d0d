import { describe, expect, it } from '@jest/globals';
import { LineSplitter, type SplitLine } from './line-splitter.js';

interface ReadOptions {
  readonly start: number;
  readonly firstLine: number;
  /** Push no bytes past this offset. */
  readonly limit: number;
  /** Call end() after the last chunk (the stream is complete). */
  readonly final: boolean;
  readonly maxLineBytes: number;
  readonly chunkBytes: number;
}

/** Pushes `content` (from `start` to `limit`) in chunks of `chunkBytes`: the lines, where the next one starts, and its number. */
async function readAll(content: string | Buffer, options: Partial<ReadOptions> = {}): Promise<{ lines: SplitLine[]; offset: number; next: number }> {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const { start = 0, firstLine = 1, limit = bytes.length, final = true, maxLineBytes = 1024, chunkBytes = 65_536 } = options;
  const splitter = new LineSplitter({ start, firstLine, maxLineBytes });
  const lines: SplitLine[] = [];
  for (let at = start; at < limit; at += chunkBytes) lines.push(...splitter.push(bytes.subarray(at, Math.min(limit, at + chunkBytes))));
  if (final) lines.push(...splitter.end());
  return { lines, offset: lines.length > 0 ? lines[lines.length - 1]!.end : start, next: splitter.nextLineNumber };
}

describe('LineSplitter', () => {
  it('splits lines with exact byte offsets and numbers', async () => {
    const { lines, offset, next } = await readAll('ab\n\ncdé\nlast');
    expect(lines.map((l) => [l.text, l.number, l.start, l.end])).toEqual([
      ['ab', 1, 0, 3],
      ['', 2, 3, 4],
      ['cdé', 3, 4, 9],
      ['last', 4, 9, 13],
    ]);
    expect(offset).toBe(13);
    expect(next).toBe(5);
  });

  it('drops the \\r of \\r\\n and says so', async () => {
    const { lines } = await readAll('a\r\nb\nc\r\n');
    expect(lines.map((l) => [l.text, l.crlf, l.end])).toEqual([
      ['a', true, 3],
      ['b', false, 5],
      ['c', true, 8],
    ]);
  });

  it('skips a UTF-8 byte order mark at the start of the file, keeping byte offsets exact', async () => {
    const { lines } = await readAll(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('h1,h2\nx,y\n')]));
    expect(lines.map((l) => [l.text, l.start, l.end])).toEqual([
      ['h1,h2', 3, 9],
      ['x,y', 9, 13],
    ]);
  });

  it('gives the same lines whatever the chunk size (multi-byte characters cut across chunks)', async () => {
    const content = 'zéro\nun€\n\r\ndeux 😀 trois\r\nquatre\n' + 'x'.repeat(100) + '\n';
    const reference = (await readAll(content, { chunkBytes: 65_536 })).lines;
    for (const chunkBytes of [1, 2, 3, 5, 7, 16]) expect((await readAll(content, { chunkBytes })).lines).toEqual(reference);
    expect(reference.map((l) => l.text)).toEqual(['zéro', 'un€', '', 'deux 😀 trois', 'quatre', 'x'.repeat(100)]);
  });

  it('leaves a last line without line break for later when the file is not final', async () => {
    const { lines, offset, next } = await readAll('a\nb\npartial', { final: false });
    expect(lines.map((l) => l.text)).toEqual(['a', 'b']);
    expect(offset).toBe(4);
    expect(next).toBe(3);
  });

  it('resumes at a byte offset with the right line numbers and stops at the limit', async () => {
    const { lines } = await readAll('one\ntwo\nthree\nfour\n', { start: 4, firstLine: 2, limit: 14 });
    expect(lines.map((l) => [l.text, l.number])).toEqual([
      ['two', 2],
      ['three', 3],
    ]);
  });

  it('reports a line longer than maxLineBytes once, cut, and goes on after it', async () => {
    const long = 'y'.repeat(300);
    for (const chunkBytes of [7, 64, 65_536]) {
      const { lines } = await readAll(`ok\n${long}\r\nafter\n`, { maxLineBytes: 100, chunkBytes });
      expect(lines.map((l) => [l.text.length, l.oversized, l.bytes, l.number])).toEqual([
        [2, false, 2, 1],
        [100, true, 300, 2],
        [5, false, 5, 3],
      ]);
      expect(lines[1].end).toBe(3 + 300 + 2);
      expect(lines[2].start).toBe(lines[1].end);
    }
  });

  it('handles an oversized last line: reported when final, left for later otherwise', async () => {
    const content = `ok\n${'z'.repeat(250)}`;
    const final = await readAll(content, { maxLineBytes: 100, chunkBytes: 16 });
    expect(final.lines.map((l) => [l.oversized, l.bytes])).toEqual([
      [false, 2],
      [true, 250],
    ]);
    expect(final.offset).toBe(253);
    const partial = await readAll(content, { maxLineBytes: 100, chunkBytes: 16, final: false });
    expect(partial.lines).toHaveLength(1);
    expect(partial.offset).toBe(3);
    expect(partial.next).toBe(2);
  });

  it('reads nothing from an empty stream', async () => {
    expect((await readAll('')).lines).toEqual([]);
  });

  it('continues at another point after reset, dropping what was pending', () => {
    const splitter = new LineSplitter({ maxLineBytes: 100 });
    expect(splitter.push(Buffer.from('a\nunfinished')).map((l) => l.text)).toEqual(['a']);
    splitter.reset(20, 7);
    expect(splitter.push(Buffer.from('x\ny')).map((l) => [l.text, l.number, l.start, l.end])).toEqual([['x', 7, 20, 22]]);
    expect(splitter.end().map((l) => [l.text, l.number, l.start, l.end])).toEqual([['y', 8, 22, 23]]);
  });
});
