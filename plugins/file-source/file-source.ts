import { open, stat, type FileHandle } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { codecsOf, type Checkpoint, type Codec, type Codecs, type HealthReport, type PluginContext, type Source, type SourceRecord, type SourceStartContext } from '@sluice/sdk';
import { CodecFileReader } from './codec-file-reader.js';
import { defaultInclude, DirectoryListing, isMissing, type ListedFile } from './directory-listing.js';
import { IDENTITY_BYTES, isFinished, isSameFile, parseFileOffset, readIdentity, type FileOffset } from './file-position.js';
import type { FileReader, ReadSession } from './file-reader.js';
import { fileFailure } from './file-records.js';
import { AUTO_FORMAT, type FileSourceConfig } from './file-source.config.js';
import { codecOptions } from './file-source.codecs.js';

/** What the source knows about one file (one lane). */
interface FileState {
  readonly lane: string;
  absolute: string;
  /** Size and mtime at the last scan (-1 before the first). */
  size: number;
  mtimeMs: number;
  /** How far the file was read (in memory; the runtime commits what the sink acknowledged). */
  progress?: FileOffset;
  /** Whether the next pass may treat the file as complete. */
  final: boolean;
}

/** The pass in progress. */
interface ActivePass {
  readonly state: FileState;
  readonly handle: FileHandle;
  readonly reader: FileReader;
}

/** Waits `ms`, or less when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((done) => {
    const finish = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      done();
    };
    const timer = setTimeout(finish, ms);
    signal.addEventListener('abort', finish, { once: true });
  });
}

/**
 * Reads files from a directory through codecs (CSV, JSON, JSONL...), file after file in name order, one lane per
 * file. `once` reads what is there and ends; `watch` polls for new files and appended lines.
 * Resuming from a checkpoint re-reads nothing committed and skips nothing uncommitted; a file
 * replaced by other content under the same name is read again from its start.
 */
export class FileSource implements Source {
  private readonly directory: string;
  private readonly listing: DirectoryListing;
  private readonly codecs: Codecs;
  /** Codecs created so far, by name. */
  private readonly codecByName = new Map<string, Codec>();
  private readonly states = new Map<string, FileState>();
  private readonly queue: FileState[] = [];
  private committed = new Map<string, FileOffset>();
  private active?: ActivePass;
  private scans = 0;
  private missingReported = false;

  constructor(
    private readonly config: FileSourceConfig,
    private readonly context: PluginContext,
  ) {
    this.directory = resolve(context.configDir, config.directory);
    this.codecs = codecsOf(context);
    this.listing = new DirectoryListing(this.directory, config.include ?? defaultInclude(config.format, this.codecs), config.exclude);
  }

  async start({ checkpoint }: SourceStartContext): Promise<void> {
    this.committed = parseCheckpoint(checkpoint);
    this.states.clear();
    this.queue.length = 0;
    this.scans = 0;
    if (this.config.mode === 'once') {
      const info = await stat(this.directory).catch((error: unknown) => {
        if (isMissing(error)) throw new Error(`file: directory "${this.directory}" does not exist (directory: "${this.config.directory}", resolved against ${this.context.configDir})`);
        throw error;
      });
      if (!info.isDirectory()) throw new Error(`file: "${this.directory}" is not a directory`);
    }
  }

  async read(signal: AbortSignal): Promise<SourceRecord[] | null> {
    const batch: SourceRecord[] = [];
    const max = this.config.batchSize;
    let scanned = false;
    while (batch.length < max && !signal.aborted) {
      if (!this.active) {
        const state = this.queue.shift();
        if (state) {
          await this.begin(state, batch);
          continue;
        }
        if (this.config.mode === 'once') {
          if (this.scans > 0) return batch.length > 0 ? batch : null;
          await this.scan();
          continue;
        }
        // watch: hand out what there is; otherwise wait for the next poll (once per call).
        if (batch.length > 0 || scanned) return batch;
        if (this.scans > 0) await pause(this.config.pollIntervalMs, signal);
        if (signal.aborted) break;
        await this.scan();
        scanned = true;
        continue;
      }
      const { state, reader } = this.active;
      let records: SourceRecord[];
      try {
        records = await reader.read(max - batch.length);
      } catch (error) {
        return this.abandon(error);
      }
      state.progress = reader.progress;
      batch.push(...records);
      if (records.length === 0) await this.finishPass();
    }
    return batch;
  }

  async stop(): Promise<void> {
    await this.finishPass();
  }

  health(): HealthReport {
    return {
      status: 'up',
      details: { directory: this.directory, mode: this.config.mode, files: this.states.size, queued: this.queue.length + (this.active ? 1 : 0), scans: this.scans },
    };
  }

  /** Lists the directory and queues every file with something to read. */
  private async scan(): Promise<void> {
    this.scans++;
    let files: ListedFile[];
    try {
      files = await this.listing.list();
    } catch (error) {
      if (this.config.mode === 'watch' && isMissing(error)) {
        if (!this.missingReported) this.context.logger.warn({ directory: this.directory }, 'file: the directory does not exist (yet); waiting for it');
        this.missingReported = true;
        return;
      }
      throw error;
    }
    this.missingReported = false;
    // States of files that disappear are kept: a file is known by its name and content, so the same
    // file landing again is not read twice, while a different one under that name is.
    for (const file of files) {
      const state = await this.refresh(file);
      if (this.hasWork(state, file)) this.queue.push(state);
    }
  }

  /** Brings a file's state up to date with what is on disk: new, grown, replaced or unchanged. */
  private async refresh(file: ListedFile): Promise<FileState> {
    let state = this.states.get(file.relative);
    const unchanged = state !== undefined && state.size === file.size && state.mtimeMs === file.mtimeMs;
    if (!state) {
      state = { lane: file.relative, absolute: file.absolute, size: -1, mtimeMs: -1, final: false };
      this.states.set(file.relative, state);
      const committed = this.committed.get(file.relative);
      if (committed) {
        if (await this.stillSameFile(file, committed)) state.progress = committed;
        else this.context.logger.info({ file: file.relative }, 'file: replaced since the checkpoint; reading it again from the start');
      }
    } else if (!unchanged && state.progress) {
      if (!(await this.stillSameFile(file, state.progress))) {
        state.progress = undefined;
        this.context.logger.info({ file: file.relative }, 'file: replaced by a different file; reading it again from the start');
      }
    }
    state.absolute = file.absolute;
    state.final = this.config.mode === 'once' || unchanged || Date.now() - file.mtimeMs >= this.config.pollIntervalMs;
    state.size = file.size;
    state.mtimeMs = file.mtimeMs;
    return state;
  }

  private async stillSameFile(file: ListedFile, offset: FileOffset): Promise<boolean> {
    let handle: FileHandle | undefined;
    try {
      handle = await open(file.absolute, 'r');
      return await isSameFile(handle, file.size, offset);
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    } finally {
      await handle?.close();
    }
  }

  private hasWork(state: FileState, file: ListedFile): boolean {
    if (isFinished(state.progress, file.size)) return false;
    const codec = this.codecOf(state.lane);
    if (codec === undefined || codec.resume === 'item') return state.final;
    return (state.progress?.byte ?? 0) < file.size;
  }

  /** The codec of a file: the configured one, or (auto) the one claiming its extension; none when no codec does. */
  private codecOf(lane: string): Codec | undefined {
    const name = this.config.format === AUTO_FORMAT ? this.codecs.forExtension(extname(lane)) : this.config.format;
    if (name === undefined) return undefined;
    let codec = this.codecByName.get(name);
    if (!codec) {
      codec = this.codecs.create(name, codecOptions(this.config, name));
      this.codecByName.set(name, codec);
    }
    return codec;
  }

  /** Opens a pass over a queued file (or reports it, when its format is unknown). */
  private async begin(state: FileState, batch: SourceRecord[]): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await open(state.absolute, 'r');
    } catch (error) {
      if (isMissing(error)) return this.context.logger.warn({ file: state.lane }, 'file: vanished before it could be read');
      throw error;
    }
    try {
      // Read no further than the size seen by the scan: `final` was decided for that size.
      const size = Math.min(state.size, (await handle.stat()).size);
      if (state.progress && !(await isSameFile(handle, size, state.progress))) state.progress = undefined;
      const codec = this.codecOf(state.lane);
      const identity = await readIdentity(handle, size, codec?.resume === 'item' && size <= this.config.maxJsonBytes ? size : IDENTITY_BYTES);
      if (codec === undefined) {
        const offset: FileOffset = { line: 1, byte: size, index: 0, done: true, ...identity };
        batch.push(fileFailure({ lane: state.lane }, 1, offset, { file: state.lane, size }, `cannot tell the format from the extension "${extname(state.lane)}"; set \`format\` or narrow \`include\``));
        state.progress = offset;
        await handle.close();
        return;
      }
      const session: ReadSession = {
        handle,
        lane: state.lane,
        keyField: this.config.keyField,
        size,
        final: state.final,
        identity,
        resume: state.progress,
        maxLineBytes: this.config.maxLineBytes,
        maxJsonBytes: this.config.maxJsonBytes,
      };
      const reader: FileReader = new CodecFileReader(session, codec);
      this.active = { state, handle, reader };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  private async finishPass(): Promise<void> {
    const active = this.active;
    this.active = undefined;
    await active?.handle.close();
  }

  /** A read failed mid-pass: the pass is closed and the error is the source's (the runtime restarts it from the checkpoint). */
  private async abandon(error: unknown): Promise<never> {
    await this.finishPass();
    throw error;
  }
}

function parseCheckpoint(checkpoint: Checkpoint): Map<string, FileOffset> {
  const offsets = new Map<string, FileOffset>();
  for (const [lane, value] of Object.entries(checkpoint)) offsets.set(lane, parseFileOffset(lane, value));
  return offsets;
}
