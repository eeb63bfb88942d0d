import { describe, expect, it } from '@jest/globals';
import { CsvRecordAssembler, type CsvRecordText } from './csv-record-assembler.js';
import type { SplitLine as Line } from '@sluice/sdk';

function linesOf(text: string): Line[] {
  let start = 0;
  return text.split('\n').map((raw, i) => {
    const crlf = raw.endsWith('\r');
    const t = crlf ? raw.slice(0, -1) : raw;
    const bytes = Buffer.byteLength(t);
    const line: Line = { text: t, number: i + 1, start, end: start + Buffer.byteLength(raw) + 1, crlf, oversized: false, bytes };
    start = line.end;
    return line;
  });
}

function assemble(text: string, options: { delimiter?: string; quote?: string; trim?: boolean; max?: number } = {}): CsvRecordText[] {
  const assembler = new CsvRecordAssembler({ delimiter: options.delimiter ?? ',', quote: options.quote ?? '"', trim: options.trim ?? false }, options.max ?? 10_000);
  const out: CsvRecordText[] = [];
  const lines = linesOf(text);
  for (const line of lines) {
    const record = assembler.push(line);
    if (record) out.push(record);
  }
  const tail = assembler.flush(lines[lines.length - 1]);
  if (tail) out.push(tail);
  return out;
}

describe('CsvRecordAssembler', () => {
  it('makes one record per line when no quoted field spans lines', () => {
    expect(assemble('a,b\n1,"x,y"\n2,"say ""hi"""').map((r) => [r.text, r.firstLine, r.lastLine])).toEqual([
      ['a,b', 1, 1],
      ['1,"x,y"', 2, 2],
      ['2,"say ""hi"""', 3, 3],
    ]);
  });

  it('continues a record while a quoted field is open, keeping the line breaks', () => {
    const records = assemble('id,note\n1,"first\nsecond\r\nthird"\n2,plain');
    expect(records.map((r) => [r.text, r.firstLine, r.lastLine])).toEqual([
      ['id,note', 1, 1],
      ['1,"first\nsecond\r\nthird"', 2, 4],
      ['2,plain', 5, 5],
    ]);
    expect(records[1].end).toBe(Buffer.byteLength('id,note\n1,"first\nsecond\r\nthird"\n'));
  });

  it('does not open quotes in the middle of an unquoted field, and handles "" escapes across lines', () => {
    expect(assemble('5" screen,x\n"a ""quoted""\nline",y').map((r) => r.text)).toEqual(['5" screen,x', '"a ""quoted""\nline",y']);
  });

  it('honours another quote character and delimiter, and spaces before a quote with trim', () => {
    expect(assemble("a;'b;\nc'\nd;e", { delimiter: ';', quote: "'" }).map((r) => r.text)).toEqual(["a;'b;\nc'", 'd;e']);
    expect(assemble('a, "b\nc"', { trim: true }).map((r) => r.text)).toEqual(['a, "b\nc"']);
    expect(assemble('a, "b\nc"', { trim: false }).map((r) => r.text)).toEqual(['a, "b', 'c"']);
  });

  it('cuts a record whose quote never closes at the size limit, then goes on', () => {
    const records = assemble(`1,"open\n${'x'.repeat(50)}\n${'y'.repeat(50)}\n2,ok`, { max: 40 });
    expect(records[0].oversized).toBe(true);
    expect(records[0].text.length).toBeLessThanOrEqual(40);
    expect(records[0].lastLine).toBe(2);
    expect(records.slice(1).map((r) => [r.text, r.oversized])).toEqual([
      ['y'.repeat(40), true],
      ['2,ok', false],
    ]);
  });

  it('hands out an unclosed record at the end of the input', () => {
    expect(assemble('a,b\n1,"never closed\nmore').map((r) => [r.text, r.lastLine])).toEqual([
      ['a,b', 1],
      ['1,"never closed\nmore', 3],
    ]);
  });
});
