import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { prepare, runSource, type SourceRecord } from '@sluice/sdk';
import fileSource from './index.js';
import csvCodec from '../csv-codec/index.js';
import jsonCodecs from '../json-codec/index.js';

/** The codecs the file source uses, as the host gives them. */
const codecs = [csvCodec, ...jsonCodecs];
import { FILE_HEADER, LINE_HEADER } from './file-records.js';
import type { FileSource } from './file-source.js';

const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

/** A fresh temporary directory holding `files` (relative path → content). */
function folder(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'sluice-file-source-'));
  roots.push(root);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), content);
  }
  return root;
}

function run(root: string, raw: Record<string, unknown> = {}, options: { maxRecords?: number } = {}) {
  return runSource(fileSource, { directory: root, ...raw }, { ...options, codecs, context: { configDir: root, dataDir: root } });
}

const SALES = 'order_id,customer_id,quantity,unit_price\nSO-1,C1,2,9.90\nSO-2,C2,1,120\n';

describe('file source: CSV', () => {
  it('turns rows into objects named by the header, with file and line headers and positions', async () => {
    const root = folder({ 'sales.csv': SALES });
    const result = await run(root);
    expect(result.ended).toBe(true);
    expect(result.failures).toEqual([]);
    expect(result.records.map((r) => r.value)).toEqual([
      { order_id: 'SO-1', customer_id: 'C1', quantity: '2', unit_price: '9.90' },
      { order_id: 'SO-2', customer_id: 'C2', quantity: '1', unit_price: '120' },
    ]);
    expect(result.records.map((r) => r.headers)).toEqual([
      { [FILE_HEADER]: 'sales.csv', [LINE_HEADER]: '2' },
      { [FILE_HEADER]: 'sales.csv', [LINE_HEADER]: '3' },
    ]);
    expect(result.records[0].origin).toMatchObject({ lane: 'sales.csv', offset: { line: 2, byte: 56 } });
    expect(result.records[0].key).toBeNull();
  });

  it('casts numbers, maps empty fields to null and takes the key from a field when asked', async () => {
    const root = folder({ 'sales.csv': 'order_id,qty,price,note\n007,2,9.90,\n' });
    const { records } = await run(root, { keyField: 'order_id', csv: { castNumbers: true, emptyAsNull: true } });
    expect(records[0].value).toEqual({ order_id: '007', qty: 2, price: 9.9, note: null });
    expect(records[0].key).toBe('007');
  });

  it('reads quoted fields across lines and reports the first line of such a record', async () => {
    const root = folder({ 'notes.csv': 'id,note\r\n1,"two\r\nlines"\r\n2,"a ""quoted"" word, and a comma"\r\n' });
    const { records, failures } = await run(root);
    expect(failures).toEqual([]);
    expect(records.map((r) => [r.value, r.headers[LINE_HEADER]])).toEqual([
      [{ id: '1', note: 'two\r\nlines' }, '2'],
      [{ id: '2', note: 'a "quoted" word, and a comma' }, '4'],
    ]);
    expect(records[0].origin.offset).toMatchObject({ line: 3 });
  });

  it('honours another delimiter, and files without a header row', async () => {
    const root = folder({ 'a.csv': 'x;y\n1;2\n', 'b.csv': '3|4\n5|6\n' });
    const semi = await run(root, { include: ['a.csv'], csv: { delimiter: ';' } });
    expect(semi.records.map((r) => r.value)).toEqual([{ x: '1', y: '2' }]);
    const bare = await run(root, { include: ['b.csv'], csv: { delimiter: '|', header: false, columns: ['left', 'right'] } });
    expect(bare.records.map((r) => [r.value, r.headers[LINE_HEADER]])).toEqual([
      [{ left: '3', right: '4' }, '1'],
      [{ left: '5', right: '6' }, '2'],
    ]);
  });

  it('reports bad rows as failures naming file and line, with the raw text, and goes on', async () => {
    const root = folder({ 'in/sales.csv': `${SALES}SO-3,C3,1,5,EXTRA\nSO-4,C4\n\nSO-5,"open"quote,1,2\nSO-6,C6,3,4.5\n` });
    const { records, failures, positions } = await run(root);
    expect(records.map((r) => (r.value as { order_id: string }).order_id)).toEqual(['SO-1', 'SO-2', 'SO-6']);
    expect(failures.map((f) => [f.reason, f.record.value])).toEqual([
      ['in/sales.csv:4: expected 4 columns (order_id, customer_id, quantity, unit_price), found 5', 'SO-3,C3,1,5,EXTRA'],
      ['in/sales.csv:5: expected 4 columns (order_id, customer_id, quantity, unit_price), found 2', 'SO-4,C4'],
      [expect.stringMatching(/^in\/sales\.csv:7: malformed CSV \(CSV_INVALID_CLOSING_QUOTE\): Invalid Closing Quote/), 'SO-5,"open"quote,1,2'],
    ]);
    expect(failures[0].record.headers).toEqual({ [FILE_HEADER]: 'in/sales.csv', [LINE_HEADER]: '4' });
    // Failures keep their positions: the runtime commits them once dead-lettered.
    expect(positions.map((p) => (p.offset as { line: number }).line)).toEqual([2, 3, 4, 5, 7, 8]);
  });

  it('reports an unusable header once, then every row it cannot map', async () => {
    const root = folder({ 'dup.csv': 'id,name,id\n1,a,2\n' });
    const { records, failures } = await run(root);
    expect(records).toEqual([]);
    expect(failures.map((f) => f.reason)).toEqual([
      'dup.csv:1: invalid header: column name "id" is used twice (columns 1 and 3)',
      'dup.csv:2: cannot map the row to columns: invalid header: column name "id" is used twice (columns 1 and 3) (line 1)',
    ]);
  });

  it('reports a row longer than maxLineBytes without holding it whole', async () => {
    const root = folder({ 'big.csv': `id,text\n1,${'x'.repeat(500)}\n2,ok\n` });
    const { records, failures } = await run(root, { maxLineBytes: 100 });
    expect(records.map((r) => r.value)).toEqual([{ id: '2', text: 'ok' }]);
    expect(failures).toHaveLength(1);
    expect(failures[0].reason).toMatch(/^big\.csv:2: record is longer than maxLineBytes \(100 bytes/);
    expect((failures[0].record.value as string).length).toBe(100);
  });

  it('streams big files in bounded batches', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `${i},name-${i}`).join('\n');
    const root = folder({ 'big.csv': `id,name\n${rows}\n` });
    const { config, context } = prepare(fileSource, { directory: root, batchSize: 300 }, { codecs, context: { configDir: root, dataDir: root } });
    const source = fileSource.create(config, context) as FileSource;
    const signal = new AbortController().signal;
    await source.start({ checkpoint: {}, signal });
    const sizes: number[] = [];
    let last: SourceRecord | undefined;
    for (let batch = await source.read(signal); batch !== null; batch = await source.read(signal)) {
      sizes.push(batch.length);
      last = batch[batch.length - 1] ?? last;
    }
    await source.stop();
    expect(Math.max(...sizes)).toBe(300);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(5000);
    expect(last?.value).toEqual({ id: '4999', name: 'name-4999' });
    expect(last?.headers?.[LINE_HEADER]).toBe('5001');
  });
});

describe('file source: JSON and JSONL', () => {
  it('reads a JSON array, one record per element, with the line each element starts on', async () => {
    const root = folder({ 'customers.json': '[\n  {"id": "C1", "name": "Ann"},\n  {\n    "id": "C2",\n    "name": "Bo"\n  }\n]\n' });
    const { records, failures } = await run(root, { keyField: 'id' });
    expect(failures).toEqual([]);
    expect(records.map((r) => [r.key, r.value, r.headers[LINE_HEADER]])).toEqual([
      ['C1', { id: 'C1', name: 'Ann' }, '2'],
      ['C2', { id: 'C2', name: 'Bo' }, '3'],
    ]);
    expect(records[1].origin.offset).toMatchObject({ index: 1, done: true, line: 3 });
  });

  it('reads a JSON file holding one object', async () => {
    const root = folder({ 'one.json': '\n\n{"id": 1}\n' });
    const { records } = await run(root);
    expect(records.map((r) => [r.value, r.headers[LINE_HEADER]])).toEqual([[{ id: 1 }, '3']]);
  });

  it('reports broken and non-object elements on their own lines and keeps the good ones', async () => {
    const root = folder({ 'mixed.json': '[\n {"ok": 1},\n {"bad": },\n 42,\n {"ok": 2},\n]' });
    const { records, failures } = await run(root);
    expect(records.map((r) => r.value)).toEqual([{ ok: 1 }, { ok: 2 }]);
    expect(failures.map((f) => [f.reason.replace(/: invalid JSON: .*/, ': invalid JSON'), f.record.value])).toEqual([
      ['mixed.json:3: invalid JSON', '{"bad": }'],
      ['mixed.json:4: expected a JSON object, found a number', '42'],
      ['mixed.json:6: empty array element (a stray comma?)', ''],
    ]);
  });

  it('reports an unclosed array, an empty file and a top-level scalar', async () => {
    const root = folder({ 'a.json': '[{"x": 1},\n{"x": 2}', 'b.json': '  ', 'c.json': '"text"' });
    const { records, failures } = await run(root);
    expect(records.map((r) => r.value)).toEqual([{ x: 1 }, { x: 2 }]);
    expect(failures.map((f) => f.reason)).toEqual([
      'a.json:2: invalid JSON: the array is not closed (missing "]")',
      'b.json:1: file is empty; expected a JSON array of objects, or one object',
      'c.json:1: expected a JSON object, found a string',
    ]);
  });

  it('refuses JSON files above maxJsonBytes', async () => {
    const root = folder({ 'huge.json': JSON.stringify([{ a: 'x'.repeat(200) }]) });
    const { records, failures } = await run(root, { maxJsonBytes: 100 });
    expect(records).toEqual([]);
    expect(failures[0].reason).toMatch(/^huge\.json:1: file is \d+ bytes, more than maxJsonBytes \(100\); convert it to JSON Lines/);
  });

  it('reads JSON Lines, skipping blank lines, and reports bad lines with file and line', async () => {
    const root = folder({ 'events.jsonl': '{"n":1}\r\n\n{"n":2}\n{broken\n[1,2]\nnull\n{"n":3}' });
    const { records, failures } = await run(root);
    expect(records.map((r) => [r.value, r.headers[LINE_HEADER]])).toEqual([
      [{ n: 1 }, '1'],
      [{ n: 2 }, '3'],
      [{ n: 3 }, '7'],
    ]);
    expect(failures.map((f) => [f.reason.replace(/invalid JSON: .*/, 'invalid JSON'), f.record.value])).toEqual([
      ['events.jsonl:4: invalid JSON', '{broken'],
      ['events.jsonl:5: expected a JSON object, found an array', '[1,2]'],
      ['events.jsonl:6: expected a JSON object, found null', 'null'],
    ]);
  });

  it('reports JSON Lines longer than maxLineBytes', async () => {
    const root = folder({ 'e.jsonl': `{"a":"${'z'.repeat(300)}"}\n{"b":1}\n` });
    const { records, failures } = await run(root, { maxLineBytes: 64 });
    expect(records.map((r) => r.value)).toEqual([{ b: 1 }]);
    expect(failures[0].reason).toBe('e.jsonl:1: line is 308 bytes long, more than maxLineBytes (64); the value holds its first 64 bytes');
  });
});

describe('file source: choosing files', () => {
  const tree = {
    'b.csv': 'id\nb1\n',
    'a.csv': 'id\na1\n',
    'sub/c.jsonl': '{"id":"c1"}\n',
    'sub/deeper/d.json': '[{"id":"d1"}]',
    'notes.txt': 'not data',
    '.hidden.csv': 'id\nh1\n',
    '.cache/e.csv': 'id\ne1\n',
    'archive/old.csv': 'id\nold1\n',
  };
  const ids = (records: Array<{ value: unknown }>) => records.map((r) => (r.value as { id: string }).id);

  it('reads every file of a known format at any depth, in name order, skipping hidden ones', async () => {
    const { records, failures } = await run(folder(tree));
    expect(ids(records)).toEqual(['a1', 'old1', 'b1', 'c1', 'd1']);
    expect(failures).toEqual([]);
  });

  it('filters with include and exclude globs', async () => {
    const root = folder(tree);
    expect(ids((await run(root, { include: ['*.csv'] })).records)).toEqual(['a1', 'b1']);
    expect(ids((await run(root, { include: ['**/*.csv'], exclude: ['archive/**'] })).records)).toEqual(['a1', 'b1']);
    expect(ids((await run(root, { include: ['sub/**'] })).records)).toEqual(['c1', 'd1']);
  });

  it('uses the configured format whatever the extension, and reports files of unknown format in auto mode', async () => {
    const root = folder({ 'x.log': '{"id":"l1"}\n', 'y.txt': 'hello' });
    expect(ids((await run(root, { format: 'jsonl', include: ['*.log'] })).records)).toEqual(['l1']);
    const auto = await run(root, { include: ['*.txt'] });
    expect(auto.records).toEqual([]);
    expect(auto.failures.map((f) => f.reason)).toEqual(['y.txt:1: cannot tell the format from the extension ".txt"; set `format` or narrow `include`']);
  });

  it('resolves a relative directory against the config folder', async () => {
    const root = folder({ 'landing/in.csv': 'id\nr1\n' });
    const result = await runSource(fileSource, { directory: 'landing' }, { codecs, context: { configDir: root, dataDir: root } });
    expect(ids(result.records)).toEqual(['r1']);
  });

  it('fails to start in once mode when the directory does not exist', async () => {
    const root = folder({});
    const { config, context } = prepare(fileSource, { directory: 'missing' }, { codecs, context: { configDir: root, dataDir: root } });
    const source = fileSource.create(config, context);
    await expect(source.start?.({ checkpoint: {}, signal: new AbortController().signal })).rejects.toThrow(`file: directory "${join(root, 'missing')}" does not exist`);
  });

  it('reports its state through health()', async () => {
    const root = folder({ 'a.csv': 'id\n1\n' });
    const { config, context } = prepare(fileSource, { directory: root }, { codecs, context: { configDir: root, dataDir: root } });
    const source = fileSource.create(config, context);
    const signal = new AbortController().signal;
    await source.start?.({ checkpoint: {}, signal });
    await source.read(signal);
    expect(await source.health?.()).toEqual({ status: 'up', details: { directory: root, mode: 'once', files: 1, queued: 0, scans: 1 } });
    await source.stop?.();
  });
});

describe('file source: codecs', () => {
  it('reads files with the codec format names, its options under codec', async () => {
    const root = folder({ 'a.tsv': 'id\tqty\nx1\t2\n', 'b.tsv': 'id\tqty\nx2\t"3\t4"\n' });
    const { records, failures } = await run(root, { include: ['*.tsv'], format: 'csv', codec: { delimiter: '\t', castNumbers: true } });
    expect(failures).toEqual([]);
    expect(records.map((r) => r.value)).toEqual([
      { id: 'x1', qty: 2 },
      { id: 'x2', qty: '3\t4' },
    ]);
  });

  it('lists by default the files of the extensions its codecs claim', async () => {
    const root = folder({ 'a.csv': 'id\na1\n', 'b.jsonl': '{"id":"b1"}\n', 'c.ndjson': '{"id":"c1"}\n' });
    const onlyCsv = await runSource(fileSource, { directory: root, csv: {} }, { codecs: [csvCodec], context: { configDir: root, dataDir: root } });
    expect(onlyCsv.records.map((r) => r.value)).toEqual([{ id: 'a1' }]);
    expect((await run(root, { format: 'jsonl' })).records.map((r) => r.value)).toEqual([{ id: 'b1' }, { id: 'c1' }]);
  });

  it('refuses an unknown codec with the closest name, and needs the host to give codecs', () => {
    expect(() => prepare(fileSource, { directory: 'd', format: 'jsnl' }, { codecs })).toThrow('format: unknown codec "jsnl" (did you mean "jsonl"?)');
    const { config, context } = prepare(fileSource, { directory: 'd' }, { codecs });
    expect(() => fileSource.create(config, { ...context, codecs: undefined })).toThrow('the host gave this plugin no codecs');
  });
});
