import { copyTextChunks, copyTextField, copyTextLine } from './postgres-copy-text.js';

describe('COPY text format', () => {
  it('escapes backslash, newline, carriage return and tab, and nothing else', () => {
    expect(copyTextField('plain')).toBe('plain');
    expect(copyTextField('')).toBe('');
    expect(copyTextField('a\\b')).toBe('a\\\\b');
    expect(copyTextField('\\N')).toBe('\\\\N'); // the text \N, not NULL
    expect(copyTextField('\\.')).toBe('\\\\.'); // not the end-of-data marker
    expect(copyTextField('line1\nline2\r\n')).toBe('line1\\nline2\\r\\n');
    expect(copyTextField('a\tb')).toBe('a\\tb');
    expect(copyTextField('"quoted", \'single\'; ,|')).toBe('"quoted", \'single\'; ,|');
    expect(copyTextField('é😀\u2028\u0001\u007f')).toBe('é😀\u2028\u0001\u007f');
    expect(copyTextField('{"a":"x\\"y\\\\z\\n"}')).toBe('{"a":"x\\\\"y\\\\\\\\z\\\\n"}');
  });

  it('writes NULL as \\N, numbers in their round-tripping form, booleans as t/f', () => {
    expect(copyTextField(null)).toBe('\\N');
    expect(copyTextField(undefined)).toBe('\\N');
    expect(copyTextField(0)).toBe('0');
    expect(copyTextField(-0)).toBe('-0');
    expect(copyTextField(0.1)).toBe('0.1');
    expect(copyTextField(1e-7)).toBe('1e-7');
    expect(copyTextField(-1.7976931348623157e308)).toBe('-1.7976931348623157e+308');
    expect(copyTextField(9007199254740991)).toBe('9007199254740991');
    expect(copyTextField(-(2n ** 63n))).toBe('-9223372036854775808');
    expect(copyTextField(true)).toBe('t');
    expect(copyTextField(false)).toBe('f');
  });

  it('refuses what no column encoder produces', () => {
    expect(() => copyTextField(Number.NaN)).toThrow(/NaN is not a finite number/);
    expect(() => copyTextField({})).toThrow(/cannot write a object/);
  });

  it('joins fields with tabs and ends lines with a newline', () => {
    expect(copyTextLine(['a\tb', null, 3, false])).toBe('a\\tb\t\\N\t3\tf\n');
    expect(copyTextLine(['only'])).toBe('only\n');
  });

  it('cuts rows into chunks of whole lines', () => {
    const rows = Array.from({ length: 10 }, (_, i) => [`row${i}`, i]);
    const chunks = [...copyTextChunks(rows, 16)];
    expect(chunks.join('')).toBe(rows.map((r) => `${r[0]}\t${r[1]}\n`).join(''));
    for (const chunk of chunks) expect(chunk.endsWith('\n')).toBe(true);
    expect(chunks.length).toBeGreaterThan(1);
    expect([...copyTextChunks([])]).toEqual([]);
  });
});
