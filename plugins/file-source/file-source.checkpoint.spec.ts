import { afterAll, describe, expect, it } from '@jest/globals';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { prepare, runSource, type Checkpoint, type RunSourceResult } from '@sluice/sdk';
import fileSource from './index.js';
import csvCodec from '../csv-codec/index.js';
import jsonCodecs from '../json-codec/index.js';

/** The codecs the file source uses, as the host gives them. */
const codecs = [csvCodec, ...jsonCodecs];
import { LINE_HEADER } from './file-records.js';

const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

function folder(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'sluice-file-checkpoint-'));
  roots.push(root);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), content);
  }
  return root;
}

function run(root: string, raw: Record<string, unknown>, options: { maxRecords?: number; checkpoint?: Checkpoint } = {}) {
  return runSource(fileSource, { directory: root, ...raw }, { ...options, codecs, context: { configDir: root, dataDir: root } });
}

/** Everything a run handed out, in order, failures included: (lane, line, value or failure). */
function items(result: RunSourceResult): unknown[] {
  const records = [...result.records];
  const failures = [...result.failures];
  return result.positions.map((position) => {
    const line = (position.offset as { line: number }).line;
    const failure = failures[0] && failures[0].record.position === position ? failures.shift() : undefined;
    if (failure) return [position.lane, line, 'FAILED', failure.reason, failure.record.value];
    const record = records.shift();
    return [position.lane, line, record?.value, record?.headers[LINE_HEADER]];
  });
}

const csvRows = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${from + i},"item ${from + i}",${(from + i) * 1.5}`).join('\n');

/** Three files of the three formats, with bad input, blank lines and multi-line records in them. */
function mixedFolder(): string {
  return folder({
    'a-orders.csv': `id,name,price\n${csvRows(1, 40)}\n41,"two\nlines",1\n42,bad\n\n${csvRows(43, 70)}\n`,
    'b-customers.json': JSON.stringify(Array.from({ length: 25 }, (_, i) => (i === 7 ? 'not an object' : { id: `C${i}` })), null, 1),
    'c-events.jsonl': Array.from({ length: 60 }, (_, i) => (i === 13 ? '{oops' : i === 30 ? '' : JSON.stringify({ n: i }))).join('\n') + '\n',
  });
}

describe('file source: checkpoints', () => {
  it('resumes exactly after the checkpoint: the pieces of interrupted runs add up to one uninterrupted run', async () => {
    const root = mixedFolder();
    const config = { batchSize: 7 };
    const whole = await run(root, config);
    const all = items(whole);
    expect(all.length).toBe(70 + 25 + 59); // the two-line CSV record is one item; the blank JSONL line is none
    expect(whole.failures.length).toBe(3);
    for (const cuts of [[1], [5, 38], [41, 42, 69], [70, 71, 94, 95], [100, 130, 153]]) {
      const pieces: unknown[] = [];
      let checkpoint: Checkpoint = {};
      let done = 0;
      for (const cut of [...cuts, Number.POSITIVE_INFINITY]) {
        const part = await run(root, config, { checkpoint, maxRecords: cut === Number.POSITIVE_INFINITY ? undefined : cut - done });
        pieces.push(...items(part));
        checkpoint = part.checkpoint;
        done = pieces.length;
      }
      expect(pieces).toEqual(all);
    }
  });

  it('skips completed files on restart', async () => {
    const root = mixedFolder();
    const first = await run(root, {});
    const again = await run(root, {}, { checkpoint: first.checkpoint });
    expect(again).toMatchObject({ ended: true, records: [], failures: [] });
  });

  it('reads a file replaced by different content under the same name again, from its start', async () => {
    const root = folder({ 'sales.csv': 'id,amount\n1,10\n2,20\n', 'other.jsonl': '{"a":1}\n' });
    const first = await run(root, {});
    writeFileSync(join(root, 'sales.csv'), 'id,amount\n7,70\n8,80\n');
    writeFileSync(join(root, 'other.jsonl'), '{"b":2}\n'); // same size, other content
    const second = await run(root, {}, { checkpoint: first.checkpoint });
    expect(second.records.map((r) => [r.origin.lane, r.value])).toEqual([
      ['other.jsonl', { b: 2 }],
      ['sales.csv', { id: '7', amount: '70' }],
      ['sales.csv', { id: '8', amount: '80' }],
    ]);
  });

  it('reads a shorter replacement file (truncated below the checkpoint) from its start', async () => {
    const root = folder({ 'e.jsonl': '{"n":1}\n{"n":2}\n{"n":3}\n' });
    const first = await run(root, {});
    writeFileSync(join(root, 'e.jsonl'), '{"m":1}\n');
    expect((await run(root, {}, { checkpoint: first.checkpoint })).records.map((r) => r.value)).toEqual([{ m: 1 }]);
  });

  it('continues a file that grew after the checkpoint with its new lines only', async () => {
    const root = folder({ 'sales.csv': 'id,amount\n1,10\n', 'e.jsonl': '{"n":1}\n' });
    const first = await run(root, {});
    appendFileSync(join(root, 'sales.csv'), '2,20\n');
    appendFileSync(join(root, 'e.jsonl'), '{"n":2}\n');
    const second = await run(root, {}, { checkpoint: first.checkpoint });
    expect(second.records.map((r) => [r.value, r.headers[LINE_HEADER]])).toEqual([
      [{ n: 2 }, '2'],
      [{ id: '2', amount: '20' }, '3'],
    ]);
  });

  it('resumes inside an unchanged JSON file, and reads a changed one again whole', async () => {
    const big = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ id: i, pad: 'p'.repeat(100) })));
    const root = folder({ 'c.json': big(60) }); // over 4 KiB: the whole content identifies a JSON file, not its head
    const first = await run(root, {}, { maxRecords: 10 });
    const second = await run(root, {}, { checkpoint: first.checkpoint });
    expect(second.records.map((r) => (r.value as { id: number }).id)).toEqual(Array.from({ length: 50 }, (_, i) => i + 10));
    writeFileSync(join(root, 'c.json'), big(61));
    const third = await run(root, {}, { checkpoint: second.checkpoint });
    expect(third.records).toHaveLength(61);
  });

  it('keeps the reading of a file whose header row was invalid consistent across restarts', async () => {
    const root = folder({ 'bad.csv': 'id,id\n1,2\n3,4\n' });
    const whole = await run(root, {});
    const first = await run(root, {}, { maxRecords: 1 });
    const rest = await run(root, {}, { checkpoint: first.checkpoint });
    expect([...items(first), ...items(rest)]).toEqual(items(whole));
    expect(whole.failures).toHaveLength(3);
  });

  it('refuses a checkpoint offset that is not a file offset', async () => {
    const root = folder({});
    const { config, context } = prepare(fileSource, { directory: root }, { codecs, context: { configDir: root, dataDir: root } });
    const source = fileSource.create(config, context);
    await expect(source.start?.({ checkpoint: { 'a.csv': 12 }, signal: new AbortController().signal })).rejects.toThrow(
      'file: checkpoint lane "a.csv" holds 12, expected a file offset { line, byte, headBytes, headHash[, index, done] }',
    );
  });
});
