import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { describeConfig, makeRecord, prepare, RecordError, runSink, type Sink } from '@sluice/sdk';
import csvCodec from '../csv-codec/index.js';
import jsonCodecs from '../json-codec/index.js';
import file, { FileSinkConfig } from './index.js';

/** The codecs the file sink writes with, as the host gives them. */
const codecs = [csvCodec, ...jsonCodecs];

const root = mkdtempSync(join(tmpdir(), 'sluice-file-sink-'));
let n = 0;
const freshDir = () => mkdtempSync(join(root, `case${++n}-`));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => jest.restoreAllMocks());

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as unknown);

function create(raw: Record<string, unknown>, configDir: string): Sink {
  const { config, context } = prepare(file, raw, { codecs, context: { configDir } });
  return file.create(config, context);
}

async function fileHandlePrototype(): Promise<FileHandle> {
  const handle = await open(join(root, 'probe'), 'w');
  await handle.close();
  return Object.getPrototypeOf(handle) as FileHandle;
}

describe('file sink', () => {
  it('appends envelopes as JSON lines, relative to the config folder, creating parent folders', async () => {
    const dir = freshDir();
    const record = makeRecord({ id: 1, text: 'line\nbreak' }, { key: 'k1', headers: { h: 'v' }, timestamp: 1700000000000, origin: { pipeline: 'p', source: 'gen', lane: 'l0', offset: 7 } });
    const { acked, failed } = await runSink(file, { path: 'a/b/out.jsonl' }, [[record], [makeRecord('second', { timestamp: 5 })]], { codecs, context: { configDir: dir } });
    expect(failed).toEqual([]);
    expect(acked).toHaveLength(2);
    const path = join(dir, 'a/b/out.jsonl');
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(3); // two lines, the last one terminated
    expect(lines(path)).toEqual([
      { key: 'k1', value: { id: 1, text: 'line\nbreak' }, headers: { h: 'v' }, timestamp: 1700000000000, origin: { pipeline: 'p', source: 'gen', lane: 'l0', offset: 7 } },
      { key: null, value: 'second', headers: {}, timestamp: 5, origin: { pipeline: 'test', source: 'test' } },
    ]);
  });

  it('writes only the values with format: value, and appends to what the file already holds', async () => {
    const dir = freshDir();
    const path = join(dir, 'values.jsonl');
    writeFileSync(path, '{"earlier":true}\n');
    await runSink(file, { path, format: 'value' }, [[makeRecord({ a: 1 }), makeRecord([1, 2]), makeRecord(null)]], { codecs, context: { configDir: '/somewhere/else' } });
    await runSink(file, { path, format: 'value' }, [[makeRecord('again')]], { codecs });
    expect(lines(path)).toEqual([{ earlier: true }, { a: 1 }, [1, 2], null, 'again']);
  });

  it('has the lines in the file when write resolves', async () => {
    const dir = freshDir();
    const sink = create({ path: 'out.jsonl', fsync: false }, dir);
    await sink.start?.();
    try {
      await sink.write([makeRecord(1), makeRecord(2)]);
      expect(lines(join(dir, 'out.jsonl')).map((l) => (l as { value: unknown }).value)).toEqual([1, 2]);
    } finally {
      await sink.stop?.();
    }
  });

  it('fsyncs every batch by default, and not with fsync: false', async () => {
    const proto = await fileHandlePrototype();
    const sync = jest.spyOn(proto, 'sync');
    const dir = freshDir();
    await runSink(file, { path: 'synced.jsonl' }, [[makeRecord(1)], [makeRecord(2)]], { codecs, context: { configDir: dir } });
    const synced = sync.mock.calls.length;
    expect(synced).toBe(3); // the new file's folder once, then each batch
    await runSink(file, { path: 'unsynced.jsonl', fsync: false }, [[makeRecord(1)], [makeRecord(2)]], { codecs, context: { configDir: dir } });
    expect(sync.mock.calls.length).toBe(synced);
  });

  it('serialises concurrent writes: batches never interleave and keep their call order', async () => {
    const dir = freshDir();
    const sink = create({ path: 'concurrent.jsonl' }, dir);
    await sink.start?.();
    // The first batch's write is slowed down: without serialisation the later ones would overtake it.
    const proto = await fileHandlePrototype();
    const original = proto.write as (this: FileHandle, ...args: unknown[]) => Promise<{ bytesWritten: number }>;
    jest.spyOn(proto, 'write').mockImplementationOnce(async function (this: FileHandle, ...args: unknown[]) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return original.apply(this, args);
    } as never);
    const sizes = Array.from({ length: 12 }, (_, b) => (12 - b) * 40);
    try {
      await Promise.all(sizes.map((size, b) => sink.write(Array.from({ length: size }, (_, i) => makeRecord({ b, i, pad: 'x'.repeat(2000) })))));
    } finally {
      await sink.stop?.();
    }
    const values = lines(join(dir, 'concurrent.jsonl')).map((l) => (l as { value: { b: number; i: number } }).value);
    const expected = sizes.flatMap((size, b) => Array.from({ length: size }, (_, i) => `${b}:${i}`));
    expect(values.map((v) => `${v.b}:${v.i}`)).toEqual(expected);
  });

  it('throws a retryable error when a write fails, leaving no partial line, so the retry lands once', async () => {
    const proto = await fileHandlePrototype();
    const dir = freshDir();
    const path = join(dir, 'dlq.jsonl');
    const sink = create({ path: 'dlq.jsonl' }, dir);
    await sink.start?.();
    try {
      await sink.write([makeRecord('kept')]);
      const before = readFileSync(path, 'utf8');
      const original = proto.write as (this: FileHandle, ...args: unknown[]) => Promise<{ bytesWritten: number }>;
      jest.spyOn(proto, 'write').mockImplementationOnce(async function (this: FileHandle, buffer: unknown, offset: unknown, length: unknown) {
        await original.call(this, buffer, offset, Math.floor(Number(length) / 2)); // half of it reaches the file
        throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
      } as never);
      const error = await sink.write([makeRecord('retried'), makeRecord('too')]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RecordError);
      expect((error as RecordError).retryable).toBe(true);
      expect((error as Error).message).toMatch(/appending \d+ bytes to .*dlq\.jsonl failed \[EIO\]/);
      expect(readFileSync(path, 'utf8')).toBe(before);
      expect((sink.health!() as { status: string }).status).toBe('down');

      jest.spyOn(proto, 'sync').mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
      await expect(sink.write([makeRecord('retried'), makeRecord('too')])).rejects.toThrow(/\[EIO\]/);
      expect(readFileSync(path, 'utf8')).toBe(before);

      await sink.write([makeRecord('retried'), makeRecord('too')]);
      expect(lines(path).map((l) => (l as { value: unknown }).value)).toEqual(['kept', 'retried', 'too']);
      expect((sink.health!() as { status: string }).status).toBe('up');
    } finally {
      await sink.stop?.();
    }
  });

  it('recreates the file when it was moved away or deleted while running', async () => {
    const dir = freshDir();
    const path = join(dir, 'rotating.jsonl');
    const sink = create({ path: 'rotating.jsonl' }, dir);
    await sink.start?.();
    try {
      await sink.write([makeRecord(1)]);
      renameSync(path, `${path}.1`);
      writeFileSync(path, ''); // as logrotate's `create` does
      await sink.write([makeRecord(2)]);
      expect(lines(path).map((l) => (l as { value: unknown }).value)).toEqual([2]);
      unlinkSync(path);
      await sink.write([makeRecord(3)]);
      expect(lines(`${path}.1`).map((l) => (l as { value: unknown }).value)).toEqual([1]);
      expect(lines(path).map((l) => (l as { value: unknown }).value)).toEqual([3]);
    } finally {
      await sink.stop?.();
    }
  });

  it('keeps trying to reopen the file after a reopen failed', async () => {
    const dir = freshDir();
    const path = join(dir, 'logs', 'dlq.jsonl');
    const sink = create({ path: 'logs/dlq.jsonl' }, dir);
    await sink.start?.();
    try {
      await sink.write([makeRecord(1)]);
      rmSync(join(dir, 'logs'), { recursive: true });
      mkdirSync(path, { recursive: true }); // a folder where the file was
      const error = await sink.write([makeRecord(2)]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RecordError);
      expect((error as RecordError).retryable).toBe(true);
      expect(sink.health!()).toMatchObject({ status: 'down' });
      rmSync(path, { recursive: true });
      await sink.write([makeRecord(2)]);
      expect(lines(path).map((l) => (l as { value: unknown }).value)).toEqual([2]);
      expect(sink.health!()).toMatchObject({ status: 'up' });
    } finally {
      await sink.stop?.();
    }
  });

  it('fails only the records without a JSON form and writes the rest', async () => {
    const dir = freshDir();
    const sink = create({ path: 'partial.jsonl', format: 'value' }, dir);
    await sink.start?.();
    try {
      const result = await sink.write([makeRecord(1), makeRecord(10n), makeRecord(() => 1), makeRecord(4)]);
      expect(result?.failed.map((f) => f.index)).toEqual([1, 2]);
      for (const failure of result!.failed) {
        expect(failure.error).toBeInstanceOf(RecordError);
        expect((failure.error as RecordError).retryable).toBe(false);
      }
      expect((result!.failed[0].error as Error).message).toMatch(/record has no JSON form: .*BigInt/);
      expect(lines(join(dir, 'partial.jsonl'))).toEqual([1, 4]);
    } finally {
      await sink.stop?.();
    }
  });

  it('fails to start with a retryable error when the path cannot be a file', async () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'a-folder'));
    const onFolder = create({ path: 'a-folder' }, dir);
    const error = await onFolder.start?.().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordError);
    expect((error as RecordError).retryable).toBe(true);
    expect((error as Error).message).toMatch(/opening .*a-folder failed \[EISDIR\]/);

    writeFileSync(join(dir, 'plain-file'), '');
    await expect(create({ path: 'plain-file/below.jsonl' }, dir).start?.()).rejects.toThrow(/\[(ENOTDIR|EEXIST)\]/);
  });

  it('reports health: down before start and after stop, up while running', async () => {
    const dir = freshDir();
    const sink = create({ path: 'h.jsonl' }, dir);
    expect(sink.health!()).toMatchObject({ status: 'down', details: { reason: 'not started' } });
    await sink.start?.();
    await sink.write([makeRecord('x')]);
    expect(sink.health!()).toEqual({ status: 'up', details: { path: join(dir, 'h.jsonl'), bytes: readFileSync(join(dir, 'h.jsonl')).length } });
    await sink.stop?.();
    expect((sink.health!() as { status: string }).status).toBe('down');
    await expect(sink.write([makeRecord('late')])).rejects.toThrow(/is not started/);
  });

  it('validates and documents its config', () => {
    expect(() => prepare(file, {}, { codecs })).toThrow(/path: must be a string/);
    expect(() => prepare(file, { path: 'x', format: 'cvs' }, { codecs })).toThrow('format: unknown codec "cvs" (did you mean "csv"?)');
    expect(() => prepare(file, { path: 'x', format: 'json' }, { codecs })).toThrow('format: codec "json" writes one whole document per stream and cannot append to a file written before');
    expect(() => prepare(file, { path: 'x', format: 'csv', codec: { quote: ',' } }, { codecs })).toThrow('codec.quote: must differ from delimiter (",")');
    expect(() => prepare(file, { path: 'x', format: 'value', write: 'envelope' }, { codecs })).toThrow(/write: format: value already writes the value/);
    const { config } = prepare(file, { path: 'x' }, { codecs });
    expect(config).toMatchObject({ path: 'x', format: 'jsonl', fsync: true });
    for (const field of describeConfig(FileSinkConfig)) expect(field.description.length).toBeGreaterThan(20);
    for (const example of file.examples ?? []) expect(() => prepare(file, example.config, { codecs })).not.toThrow();
  });

  it('needs the host to give it codecs', () => {
    expect(() => create({ path: 'x' }, freshDir())).not.toThrow();
    const { config, context } = prepare(file, { path: 'x' }, { codecs });
    expect(() => file.create(config, { ...context, codecs: undefined })).toThrow('the host gave this plugin no codecs');
  });
});

describe('file sink: codecs', () => {
  it('writes CSV with a header row in a new file only, and one row per value', async () => {
    const dir = freshDir();
    const path = join(dir, 'orders.csv');
    const raw = { path: 'orders.csv', format: 'csv', codec: { delimiter: ';' } };
    const first = await runSink(file, raw, [[makeRecord({ id: 1, note: 'a;b' }), makeRecord({ id: 2, note: 'two\nlines' })]], { codecs, context: { configDir: dir } });
    expect(first.failed).toEqual([]);
    const second = await runSink(file, raw, [[makeRecord({ id: 3, note: 'say "hi"' }), makeRecord([1]), makeRecord({ id: 4, extra: 1 })]], { codecs, context: { configDir: dir } });
    expect(second.failed.map((f) => f.error)).toEqual([
      'a CSV row is made from an object, not from an array',
      'fields "extra" are not columns of this CSV (id, note)',
    ]);
    expect(readFileSync(path, 'utf8')).toBe('id;note\n1;"a;b"\n2;"two\nlines"\n3;"say ""hi"""\n');
  });

  it('writes only the values with write: value, and the envelope by default, with jsonl', async () => {
    const dir = freshDir();
    await runSink(file, { path: 'v.jsonl', write: 'value' }, [[makeRecord({ a: 1 })]], { codecs, context: { configDir: dir } });
    await runSink(file, { path: 'e.jsonl' }, [[makeRecord({ a: 1 }, { key: 'k' })]], { codecs, context: { configDir: dir } });
    expect(lines(join(dir, 'v.jsonl'))).toEqual([{ a: 1 }]);
    expect(lines(join(dir, 'e.jsonl'))).toEqual([expect.objectContaining({ key: 'k', value: { a: 1 } })]);
  });

  it('starts a file that was cut back to empty with the header row again', async () => {
    const dir = freshDir();
    const path = join(dir, 'again.csv');
    const sink = create({ path: 'again.csv', format: 'csv' }, dir);
    await sink.start?.();
    try {
      await sink.write([makeRecord({ x: 1 })]);
      writeFileSync(path, '');
      await sink.write([makeRecord({ x: 2 })]);
      expect(readFileSync(path, 'utf8')).toBe('x\n2\n');
    } finally {
      await sink.stop?.();
    }
  });
});
