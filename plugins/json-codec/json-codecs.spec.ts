import { describe, expect, it } from '@jest/globals';
import { CodecError, decodeChunks, makeCodec, type DecodedItem } from '@sluice/sdk';
import jsonCodecs, { jsonCodec, jsonLinesCodec } from './index.js';

const json = makeCodec(jsonCodec);
const jsonl = makeCodec(jsonLinesCodec);

/** (line, value) of values and (line, FAILED, problem, raw) of failures. */
const summary = (items: readonly DecodedItem[]) => items.map((i) => (i.kind === 'value' ? [i.line, i.value] : [i.line, 'FAILED', i.problem.replace(/^invalid JSON: (?!the array|unexpected).*/, 'invalid JSON'), i.raw]));

/** Every way to cut `text` in two, plus byte by byte. */
function splits(text: string): Buffer[][] {
  const bytes = Buffer.from(text, 'utf8');
  const out: Buffer[][] = [Array.from(bytes, (b) => Buffer.from([b]))];
  for (let at = 0; at <= bytes.length; at++) out.push([bytes.subarray(0, at), bytes.subarray(at)]);
  return out;
}

describe('the json codec plugins', () => {
  it('are exported together, json and jsonl, with their file extensions', () => {
    expect(jsonCodecs.map((d) => [d.kind, d.name, d.extensions])).toEqual([
      ['codec', 'json', ['.json']],
      ['codec', 'jsonl', ['.jsonl', '.ndjson']],
    ]);
    expect([json.resume, json.appendable, jsonl.resume, jsonl.appendable]).toEqual(['item', false, 'byte', true]);
  });

  it('refuse options they do not have', () => {
    expect(() => makeCodec(jsonCodec, { framing: 'lines' })).toThrow('invalid options for codec "json": framing: unknown field');
  });
});

describe('json: a document as a stream', () => {
  it('decodes the elements of an array with the line each starts on, whatever the chunks', () => {
    const text = '\ufeff[\n  {"id": "C1", "name": "Ann é"},\n  {\n    "id": "C2",\n    "s": "x,]}[\\"😀"\n  }\n]\n';
    for (const chunks of splits(text)) {
      expect(summary(decodeChunks(json, chunks))).toEqual([
        [2, { id: 'C1', name: 'Ann é' }],
        [3, { id: 'C2', s: 'x,]}[\\"😀'.replace('\\"', '"') }],
      ]);
    }
  });

  it('reports broken and empty elements on their own lines and keeps the good ones', () => {
    const items = decodeChunks(json, ['[\n {"ok": 1},\n {"bad": },\n 42,\n {"ok": 2},\n]']);
    expect(summary(items)).toEqual([
      [2, { ok: 1 }],
      [3, 'FAILED', 'invalid JSON', '{"bad": }'],
      [4, 42],
      [5, { ok: 2 }],
      [6, 'FAILED', 'empty array element (a stray comma?)', ''],
    ]);
    expect(items.map((i) => i.index)).toEqual([0, 1, 2, 3, 4]);
  });

  it('reports a missing "]", text after the array, a stray closer, and an empty document', () => {
    expect(summary(decodeChunks(json, ['[{"a":1},\n{"b":2}']))).toEqual([
      [1, { a: 1 }],
      [2, { b: 2 }],
      [2, 'FAILED', 'invalid JSON: the array is not closed (missing "]")', ''],
    ]);
    expect(summary(decodeChunks(json, ['[{"a":1},']))).toEqual([
      [1, { a: 1 }],
      [1, 'FAILED', 'invalid JSON: the array is not closed (missing "]")', ''],
    ]);
    expect(summary(decodeChunks(json, ['[{"a":1}]\n {"b":2}']))).toEqual([
      [1, { a: 1 }],
      [2, 'FAILED', 'invalid JSON: unexpected text after the closing "]"', '{"b":2}'],
    ]);
    expect(summary(decodeChunks(json, ['[{"a":1}}, {"b":2}]']))).toEqual([
      [1, { a: 1 }],
      [1, 'FAILED', 'invalid JSON: unexpected "}" between array elements', '}, {"b":2}]'],
    ]);
    expect(summary(decodeChunks(json, [' \n ']))).toEqual([[1, 'FAILED', 'file is empty; expected a JSON array of objects, or one object', '']]);
    expect(decodeChunks(json, [' [ ] '])).toEqual([]);
  });

  it('decodes a single value, even spread over lines', () => {
    expect(summary(decodeChunks(json, ['\n\n{"id":', ' 1,\n"b": [1, 2]}\n']))).toEqual([[3, { id: 1, b: [1, 2] }]]);
    expect(summary(decodeChunks(json, ['"text"']))).toEqual([[1, 'text']]);
    expect(summary(decodeChunks(json, ['{"a":1} {"b":2}']))).toEqual([[1, 'FAILED', 'invalid JSON', '{"a":1} {"b":2}']]);
  });

  it('holds no element longer than maxItemBytes, and cuts what failures show', () => {
    const items = decodeChunks(json, [`[{"a":"${'x'.repeat(200)}"}, {"b":1}]`], { maxItemBytes: 100, maxItemBytesName: 'maxJsonBytes', maxFailureBytes: 10 });
    expect(summary(items)).toEqual([
      [1, 'FAILED', 'element is 208 bytes long, more than maxJsonBytes (100); the value holds its first 10 characters', '{"a":"xxxx'],
      [1, { b: 1 }],
    ]);
  });

  it('encodes a stream as one array, closed by finish', () => {
    const encoder = json.encoder();
    const first = encoder.encode([{ a: 1 }, 10n], true);
    expect(first.failed.map((f) => [f.index, f.error.message])).toEqual([[1, expect.stringMatching(/^record has no JSON form: .*BigInt/)]]);
    const text = first.data.toString() + encoder.encode([undefined, 'x'], false).data.toString() + encoder.finish().toString();
    expect(text).toBe('[\n{"a":1},\nnull,\n"x"\n]\n');
    expect(JSON.parse(text)).toEqual([{ a: 1 }, null, 'x']);
    expect(json.encoder().finish().toString()).toBe('[]\n');
  });

  it('decodes and encodes whole messages', () => {
    expect(json.decodeMessage(Buffer.from('\ufeff{"a": [1, "é"]}'))).toEqual({ a: [1, 'é'] });
    expect(() => json.decodeMessage(Buffer.from('{"a": '))).toThrow(CodecError);
    expect(json.encodeMessage({ a: 'line\nbreak' }).toString()).toBe('{"a":"line\\nbreak"}');
    expect(() => json.encodeMessage(() => 1)).toThrow('record value of type function has no JSON form');
    expect(json.decodeMessage(json.encodeMessage({ n: 1.5, s: '😀' }))).toEqual({ n: 1.5, s: '😀' });
  });
});

describe('jsonl: one value per line', () => {
  it('decodes lines, skipping blank ones, with failures naming their line, whatever the chunks', () => {
    const text = '{"n":1}\r\n\n{"n":"é😀"}\n{broken\n[1,2]\nnull\n{"n":3}';
    for (const chunks of splits(text)) {
      expect(summary(decodeChunks(jsonl, chunks))).toEqual([
        [1, { n: 1 }],
        [3, { n: 'é😀' }],
        [4, 'FAILED', 'invalid JSON', '{broken'],
        [5, [1, 2]],
        [6, null],
        [7, { n: 3 }],
      ]);
    }
  });

  it('reports a line longer than maxItemBytes without holding it', () => {
    const items = decodeChunks(jsonl, [`{"a":"${'z'.repeat(300)}"}\n{"b":1}\n`], { maxItemBytes: 64, maxItemBytesName: 'maxLineBytes' });
    expect(summary(items)).toEqual([
      [1, 'FAILED', 'line is 308 bytes long, more than maxLineBytes (64); the value holds its first 64 bytes', `{"a":"${'z'.repeat(58)}`],
      [2, { b: 1 }],
    ]);
  });

  it('settles after each complete line, and resumes at a line boundary', () => {
    const decoder = jsonl.decoder({ maxItemBytes: 1000 });
    expect(summary(decoder.push(Buffer.from('{"a":1}\n\n{"b"')))).toEqual([[1, { a: 1 }]]);
    expect(decoder.settled).toEqual({ byte: 9, line: 3 });
    decoder.skipTo({ byte: 100, line: 10 });
    const items = [...decoder.push(Buffer.from('{"c":3}\n')), ...decoder.end()];
    expect(items.map((i) => [i.line, i.end])).toEqual([[10, 108]]);
  });

  it('round-trips values through a stream and through messages', () => {
    const values = [{ a: 1, text: 'two\nlines' }, 'é', 3, null, [true]];
    const encoded = jsonl.encoder().encode(values, true);
    expect(encoded.data.toString()).toBe('{"a":1,"text":"two\\nlines"}\n"é"\n3\nnull\n[true]\n');
    expect(decodeChunks(jsonl, [encoded.data]).map((i) => (i.kind === 'value' ? i.value : i))).toEqual(values);
    for (const value of values) expect(jsonl.decodeMessage(jsonl.encodeMessage(value))).toEqual(value);
  });
});
