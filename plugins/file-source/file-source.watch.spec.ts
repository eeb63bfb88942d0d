import { afterAll, describe, expect, it } from '@jest/globals';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepare, type Source, type SourceRecord } from '@sluice/sdk';
import fileSource from './index.js';
import csvCodec from '../csv-codec/index.js';
import jsonCodecs from '../json-codec/index.js';

/** The codecs the file source uses, as the host gives them. */
const codecs = [csvCodec, ...jsonCodecs];
import { LINE_HEADER } from './file-records.js';

const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

function emptyFolder(): string {
  const root = mkdtempSync(join(tmpdir(), 'sluice-file-watch-'));
  roots.push(root);
  return root;
}

/** A started watch-mode source over `directory`, read by hand. */
async function watch(directory: string, raw: Record<string, unknown> = {}) {
  const root = emptyFolder();
  const { config, context } = prepare(fileSource, { directory, mode: 'watch', pollIntervalMs: 20, ...raw }, { codecs, context: { configDir: root, dataDir: root } });
  const source: Source = fileSource.create(config, context);
  const controller = new AbortController();
  await source.start?.({ checkpoint: {}, signal: controller.signal });
  /** Reads until at least `count` more records came (failing after `polls` reads without them). */
  const readRecords = async (count: number, polls = 100): Promise<SourceRecord[]> => {
    const got: SourceRecord[] = [];
    for (let i = 0; i < polls && got.length < count; i++) {
      const batch = await source.read(controller.signal);
      if (batch === null) throw new Error('a watching source must not end');
      got.push(...batch);
    }
    return got;
  };
  const close = async () => {
    controller.abort();
    await source.stop?.();
  };
  return { source, controller, readRecords, close };
}

const values = (records: SourceRecord[]) => records.map((r) => r.value);

describe('file source: watch mode', () => {
  it('picks up a file dropped after the start, and lines appended to it', async () => {
    const dir = emptyFolder();
    const w = await watch(dir);
    try {
      expect(await w.readRecords(1, 3)).toEqual([]); // nothing there yet; read() returns [] after a poll
      writeFileSync(join(dir, 'events.jsonl'), '{"n":1}\n{"n":2}\n');
      expect(values(await w.readRecords(2))).toEqual([{ n: 1 }, { n: 2 }]);
      appendFileSync(join(dir, 'events.jsonl'), '{"n":3}\n');
      const appended = await w.readRecords(1);
      expect(values(appended)).toEqual([{ n: 3 }]);
      expect(appended[0].headers?.[LINE_HEADER]).toBe('3');
      writeFileSync(join(dir, 'more.csv'), 'id\nx\n');
      expect(values(await w.readRecords(1))).toEqual([{ id: 'x' }]);
    } finally {
      await w.close();
    }
  });

  it('waits for a line still being written, then reads it whole', async () => {
    const dir = emptyFolder();
    writeFileSync(join(dir, 'e.jsonl'), '{"n":1}\n{"n":');
    const w = await watch(dir, { pollIntervalMs: 60_000 }); // no settling within the test: only complete lines count
    try {
      expect(values(await w.readRecords(1))).toEqual([{ n: 1 }]);
      appendFileSync(join(dir, 'e.jsonl'), '2}\n');
    } finally {
      await w.close();
    }
    // A fresh source with a short poll: the completed line is read once, whole.
    const again = await watch(dir);
    try {
      expect(values(await again.readRecords(2))).toEqual([{ n: 1 }, { n: 2 }]);
    } finally {
      await again.close();
    }
  });

  it('reads a last line without line break once the file stopped changing', async () => {
    const dir = emptyFolder();
    const w = await watch(dir);
    try {
      await w.readRecords(1, 1);
      writeFileSync(join(dir, 'e.jsonl'), '{"n":1}\n{"n":2}');
      const got = await w.readRecords(2);
      expect(values(got)).toEqual([{ n: 1 }, { n: 2 }]);
      expect(got[1].position?.offset).toMatchObject({ line: 2, byte: 15 });
    } finally {
      await w.close();
    }
  });

  it('reads a JSON file once it stopped changing', async () => {
    const dir = emptyFolder();
    const w = await watch(dir);
    try {
      await w.readRecords(1, 1);
      writeFileSync(join(dir, 'customers.json'), '[{"id":"C1"},{"id":"C2"}]');
      expect(values(await w.readRecords(2))).toEqual([{ id: 'C1' }, { id: 'C2' }]);
      // Unchanged afterwards: not read again.
      expect(await w.readRecords(1, 3)).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it('reads a file replaced under the same name again from its start', async () => {
    const dir = emptyFolder();
    writeFileSync(join(dir, 'e.jsonl'), '{"v":"old1"}\n{"v":"old2"}\n');
    const w = await watch(dir);
    try {
      expect(values(await w.readRecords(2))).toEqual([{ v: 'old1' }, { v: 'old2' }]);
      writeFileSync(join(dir, 'e.jsonl'), '{"v":"new1"}\n{"v":"new2"}\n{"v":"new3"}\n');
      const got = await w.readRecords(3);
      expect(values(got)).toEqual([{ v: 'new1' }, { v: 'new2' }, { v: 'new3' }]);
      expect(got[0].headers?.[LINE_HEADER]).toBe('1');
    } finally {
      await w.close();
    }
  });

  it('does not read a known file again when the same content lands again', async () => {
    const dir = emptyFolder();
    writeFileSync(join(dir, 'a.csv'), 'id\n1\n');
    const w = await watch(dir);
    try {
      expect(values(await w.readRecords(1))).toEqual([{ id: '1' }]);
      rmSync(join(dir, 'a.csv'));
      expect(await w.readRecords(1, 2)).toEqual([]);
      writeFileSync(join(dir, 'a.csv'), 'id\n1\n');
      writeFileSync(join(dir, 'b.csv'), 'id\n2\n');
      expect(values(await w.readRecords(1))).toEqual([{ id: '2' }]);
    } finally {
      await w.close();
    }
  });

  it('waits for a directory that does not exist yet', async () => {
    const parent = emptyFolder();
    const dir = join(parent, 'landing');
    const w = await watch(dir);
    try {
      expect(await w.readRecords(1, 2)).toEqual([]);
      mkdirSync(dir);
      writeFileSync(join(dir, 'x.jsonl'), '{"ok":true}\n');
      expect(values(await w.readRecords(1))).toEqual([{ ok: true }]);
    } finally {
      await w.close();
    }
  });

  it('stops waiting at once when aborted', async () => {
    const dir = emptyFolder();
    const w = await watch(dir, { pollIntervalMs: 3_600_000 });
    await w.readRecords(1, 1); // the first read scans at once
    const pending = w.source.read(w.controller.signal); // the next one waits for the poll interval
    w.controller.abort();
    await expect(pending).resolves.toEqual([]);
    await w.source.stop?.();
  });
});
