import { describe, expect, it } from '@jest/globals';
import { CodecError, decodeChunks, describeConfig, makeCodec, type DecodedItem } from '@sluice/sdk';
import csv from './index.js';

/** (line, value) of values and (line, FAILED, problem, raw) of failures. */
const summary = (items: readonly DecodedItem[]) => items.map((i) => (i.kind === 'value' ? [i.line, i.value] : [i.line, 'FAILED', i.problem, i.raw]));

/** Every way to cut `text` in two, plus byte by byte. */
function splits(text: string): Buffer[][] {
  const bytes = Buffer.from(text, 'utf8');
  const out: Buffer[][] = [Array.from(bytes, (b) => Buffer.from([b]))];
  for (let at = 0; at <= bytes.length; at++) out.push([bytes.subarray(0, at), bytes.subarray(at)]);
  return out;
}

describe('the csv codec plugin', () => {
  it('claims .csv files, can append, and documents its options', () => {
    expect([csv.kind, csv.name, csv.extensions]).toEqual(['codec', 'csv', ['.csv']]);
    const codec = makeCodec(csv);
    expect([codec.contentType, codec.resume, codec.appendable]).toEqual(['text/csv', 'byte', true]);
    for (const field of describeConfig(csv.config)) expect(field.description.length).toBeGreaterThan(15);
  });

  it('checks its options together', () => {
    expect(() => makeCodec(csv, { delimiter: '"' })).toThrow('quote: must differ from delimiter (""")');
    expect(() => makeCodec(csv, { header: false })).toThrow('columns: is required when header is false');
    expect(() => makeCodec(csv, { columns: ['a'] })).toThrow('columns: only applies with header: false');
    expect(() => makeCodec(csv, { header: false, columns: ['a', 'a'] })).toThrow('columns: "a" appears twice');
    expect(() => makeCodec(csv, { delimiter: '\n' })).toThrow('delimiter: cannot be a line break');
  });
});

describe('csv: decoding a stream', () => {
  it('gives the same rows whatever the chunks: a line, a quoted field with a line break, a multi-byte character split anywhere', () => {
    const text = 'id,note\r\n1,"two\r\nlines"\r\n2,"a ""quoted"" word, and é😀"\r\n\r\n3,plain\r\n';
    for (const chunks of splits(text)) {
      expect(summary(decodeChunks(makeCodec(csv), chunks))).toEqual([
        [2, { id: '1', note: 'two\r\nlines' }],
        [4, { id: '2', note: 'a "quoted" word, and é😀' }],
        [6, { id: '3', note: 'plain' }],
      ]);
    }
  });

  it('reports malformed rows with their line and raw text, and goes on', () => {
    const items = decodeChunks(makeCodec(csv), ['a,b\n1,2,3\n4\n5,"open"quote\n6,7\n']);
    expect(summary(items)).toEqual([
      [2, 'FAILED', 'expected 2 columns (a, b), found 3', '1,2,3'],
      [3, 'FAILED', 'expected 2 columns (a, b), found 1', '4'],
      [4, 'FAILED', expect.stringMatching(/^malformed CSV \(CSV_INVALID_CLOSING_QUOTE\): Invalid Closing Quote/), '5,"open"quote'],
      [5, { a: '6', b: '7' }],
    ]);
    expect(items.map((i) => [i.lastLine, i.end])).toEqual([
      [2, 10],
      [3, 12],
      [4, 26],
      [5, 30],
    ]);
  });

  it('reports an unusable header once, then every row it cannot map', () => {
    expect(summary(decodeChunks(makeCodec(csv), ['id,name,id\n1,a,2\n']))).toEqual([
      [1, 'FAILED', 'invalid header: column name "id" is used twice (columns 1 and 3)', 'id,name,id'],
      [2, 'FAILED', 'cannot map the row to columns: invalid header: column name "id" is used twice (columns 1 and 3) (line 1)', '1,a,2'],
    ]);
  });

  it('reports a record longer than maxItemBytes (an unclosed quote) without holding it', () => {
    const items = decodeChunks(makeCodec(csv), ['id,text\n1,"never closed\n', `${'x'.repeat(300)}\n`], { maxItemBytes: 100, maxItemBytesName: 'maxLineBytes' });
    expect(summary(items).map((s) => s.slice(0, 3))).toEqual([[2, 'FAILED', 'record is longer than maxLineBytes (100 bytes; an unclosed quote?); the value holds its first 100 characters']]);
    expect((items[0] as { raw: string }).raw).toHaveLength(100);
  });

  it('reads data without a header row with the configured columns, casting numbers and empty fields', () => {
    const codec = makeCodec(csv, { delimiter: ';', header: false, columns: ['id', 'qty', 'price', 'note'], castNumbers: true, emptyAsNull: true });
    expect(summary(decodeChunks(codec, ['007;2;9.90;\n', '8;1e3;-3.5;x\n']))).toEqual([
      [1, { id: '007', qty: 2, price: 9.9, note: null }],
      [2, { id: 8, qty: 1000, price: -3.5, note: 'x' }],
    ]);
  });

  it('knows where the data starts once the header is read, and resumes after it', () => {
    const decoder = makeCodec(csv).decoder({ maxItemBytes: 1000 });
    expect(decoder.dataStart).toBeUndefined();
    expect(decoder.push(Buffer.from('\nid,na'))).toEqual([]);
    expect(decoder.settled).toEqual({ byte: 1, line: 2 });
    expect(summary(decoder.push(Buffer.from('me\n1,a\n2,')))).toEqual([[3, { id: '1', name: 'a' }]]);
    expect(decoder.dataStart).toEqual({ byte: 9, line: 3 });
    expect(decoder.settled).toEqual({ byte: 13, line: 4 });
    decoder.skipTo({ byte: 40, line: 9 });
    expect(summary([...decoder.push(Buffer.from('9,z')), ...decoder.end()])).toEqual([[9, { id: '9', name: 'z' }]]);
    expect(makeCodec(csv, { header: false, columns: ['a'] }).decoder({ maxItemBytes: 10 }).dataStart).toEqual({ byte: 0, line: 1 });
  });
});

describe('csv: encoding', () => {
  it('writes a header row at the start only, quotes what needs it, and reads back what it wrote', () => {
    const codec = makeCodec(csv);
    const encoder = codec.encoder();
    const values = [
      { id: 1, note: 'a,b', n: null },
      { id: 2, note: 'two\nlines and "quotes"', n: 1.5 },
      { id: 3, note: { nested: true } },
    ];
    const first = encoder.encode(values.slice(0, 2), true);
    const second = encoder.encode(values.slice(2), false);
    const text = first.data.toString() + second.data.toString();
    expect(text).toBe('id,note,n\n1,"a,b",\n2,"two\nlines and ""quotes""",1.5\n3,"{""nested"":true}",\n');
    expect(summary(decodeChunks(codec, [text]))).toEqual([
      [2, { id: '1', note: 'a,b', n: '' }],
      [3, { id: '2', note: 'two\nlines and "quotes"', n: '1.5' }],
      [5, { id: '3', note: '{"nested":true}', n: '' }],
    ]);
    expect(encoder.finish()).toHaveLength(0);
  });

  it('refuses values that are not objects or have fields outside the columns, and writes the rest', () => {
    const encoder = makeCodec(csv, { header: false, columns: ['a', 'b'] }).encoder();
    const batch = encoder.encode([{ a: 1 }, 'text', { a: 2, c: 3 }, { b: '' }], true);
    expect(batch.failed.map((f) => [f.index, f.error.message])).toEqual([
      [1, 'a CSV row is made from an object, not from a string'],
      [2, 'fields "c" are not columns of this CSV (a, b)'],
    ]);
    expect(batch.data.toString()).toBe('1,\n,\n');
    expect(makeCodec(csv, { header: false, columns: ['only'] }).encoder().encode([{ only: '' }], true).data.toString()).toBe('""\n');
  });

  it('decodes and encodes one row as a message', () => {
    const bare = makeCodec(csv, { header: false, columns: ['a', 'b'], castNumbers: true });
    expect(bare.decodeMessage(Buffer.from('1,"x,y"\n'))).toEqual({ a: 1, b: 'x,y' });
    expect(bare.encodeMessage({ a: 1, b: 'x,y' }).toString()).toBe('1,"x,y"\n');
    const headed = makeCodec(csv);
    expect(headed.encodeMessage({ k: 'v' }).toString()).toBe('k\nv\n');
    expect(headed.decodeMessage(headed.encodeMessage({ k: 'v' }))).toEqual({ k: 'v' });
    expect(() => bare.decodeMessage(Buffer.from('1,2\n3,4\n'))).toThrow('the message holds 2 CSV rows where one was expected');
    expect(() => bare.decodeMessage(Buffer.from('1,2,3'))).toThrow(CodecError);
    expect(() => bare.encodeMessage([1])).toThrow('a CSV row is made from an object, not from an array');
  });
});
