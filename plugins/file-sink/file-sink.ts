import { constants, type Stats } from 'node:fs';
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  codecsOf,
  describeError,
  RecordError,
  SerialLock,
  type HealthReport,
  type PluginContext,
  type Sink,
  type SinkWriteResult,
  type SluiceRecord,
  type StreamEncoder,
} from '@sluice/sdk';
import { fileSinkOutput, type FileSinkConfig, type WrittenPart } from './file-sink.config.js';

/** What is written for a record: its envelope, or its value. */
function written(record: SluiceRecord, part: WrittenPart): unknown {
  if (part === 'value') return record.value;
  return { key: record.key, value: record.value ?? null, headers: record.headers, timestamp: record.timestamp, origin: record.origin };
}

/**
 * The `file` sink: appends records to a file through a codec (JSON lines by default, CSV...). A new
 * (or emptied) file starts with what the codec puts first (a CSV header row). It is the default dead-letter
 * destination, so it favours not losing anything over speed:
 * - a write resolves only once its lines are written (and, with `fsync`, on disk);
 * - writes are serialised, so concurrent batches never interleave and keep their call order;
 * - a failed write is cut back off the file (truncated to where it started), so a retried batch
 *   appears once and no half line is left behind; I/O errors are thrown as retryable;
 * - when the file is moved or deleted (log rotation, a cleanup), the next write recreates it at
 *   the configured path instead of appending to a file nobody sees.
 */
export class FileSink implements Sink {
  readonly path: string;
  private readonly lock = new SerialLock();
  private readonly encoder: StreamEncoder;
  private readonly part: WrittenPart;
  private handle: FileHandle | undefined;
  private identity: { dev: number; ino: number } | undefined;
  /** Size of the file after this sink's last write (shown by health). */
  private size = 0;
  private lastError: string | undefined;
  /** Between start and stop: writes (re)open the file whenever it is not open. */
  private running = false;

  constructor(
    private readonly config: FileSinkConfig,
    context: PluginContext,
  ) {
    this.path = isAbsolute(config.path) ? config.path : resolve(context.configDir, config.path);
    const output = fileSinkOutput(config);
    this.part = output.write;
    this.encoder = codecsOf(context).create(output.codec, config.codec).encoder();
  }

  async start(): Promise<void> {
    await this.lock.run(async () => {
      await this.openFile();
      this.running = true;
    });
  }

  async write(batch: readonly SluiceRecord[]): Promise<void | SinkWriteResult> {
    if (batch.length === 0) return undefined;
    const values = batch.map((record) => written(record, this.part));
    const failed = await this.lock.run(() => this.append(values));
    return failed.length > 0 ? { failed: [...failed] } : undefined;
  }

  async stop(): Promise<void> {
    await this.lock.run(async () => {
      this.running = false;
      const handle = this.handle;
      this.handle = undefined;
      await handle?.close();
    });
  }

  health(): HealthReport {
    const details = { path: this.path, bytes: this.size };
    if (!this.running) return { status: 'down', details: { ...details, reason: 'not started' } };
    if (this.lastError) return { status: 'down', details: { ...details, reason: this.lastError } };
    return { status: 'up', details };
  }

  /** Encodes `values` where the file now ends (at its start: with the codec's header) and appends them; returns the values the codec refused. */
  private async append(values: readonly unknown[]): Promise<ReadonlyArray<{ index: number; error: RecordError }>> {
    if (!this.running) throw new RecordError(`file sink ${this.path} is not started`, { retryable: true });
    let start: number;
    try {
      // After a failed reopen there is no handle: try again now.
      if (this.handle) await this.reopenIfReplaced();
      else await this.openFile();
      // Where this write starts, from the file itself (another writer may have appended too).
      start = (await this.handle!.stat()).size;
    } catch (error) {
      this.lastError = describeError(error);
      throw error instanceof RecordError ? error : this.ioError('checking', error);
    }
    const { data, failed } = this.encoder.encode(values, start === 0);
    if (data.length === 0) return failed;
    try {
      let written = 0;
      while (written < data.length) {
        const { bytesWritten } = await this.handle!.write(data, written, data.length - written);
        written += bytesWritten;
      }
      if (this.config.fsync) await this.handle!.sync();
      this.size = start + data.length;
      this.lastError = undefined;
      return failed;
    } catch (error) {
      await this.cutBack(start);
      this.lastError = describeError(error);
      throw this.ioError(`appending ${data.length} bytes to`, error);
    }
  }

  /** Removes what a failed write left after `size` (where it started), so that a retry does not duplicate it. */
  private async cutBack(size: number): Promise<void> {
    try {
      const current = await this.handle?.stat();
      if (current && current.size > size) await this.handle!.truncate(size);
    } catch {
      // The file is unusable; the next write reopens it or fails again (and is retried).
    }
  }

  private async reopenIfReplaced(): Promise<void> {
    let onDisk: Stats | undefined;
    try {
      onDisk = await stat(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (onDisk && this.identity && onDisk.dev === this.identity.dev && onDisk.ino === this.identity.ino) return;
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
    await this.openFile();
  }

  private async openFile(): Promise<void> {
    try {
      await mkdir(dirname(this.path), { recursive: true });
      let existed = true;
      try {
        await stat(this.path);
      } catch {
        existed = false;
      }
      const handle = await open(this.path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
      const info = await handle.stat();
      if (!info.isFile()) {
        await handle.close();
        throw Object.assign(new Error(`${this.path} is not a regular file`), { code: 'EISDIR' });
      }
      this.handle = handle;
      this.identity = { dev: info.dev, ino: info.ino };
      this.size = info.size;
      // A new file is durable only once its directory entry is: sync the folder too.
      if (!existed && this.config.fsync) await syncDirectory(dirname(this.path));
    } catch (error) {
      throw this.ioError('opening', error);
    }
  }

  private ioError(action: string, error: unknown): RecordError {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    return new RecordError(`file sink: ${action} ${this.path} failed${code ? ` [${code}]` : ''}: ${describeError(error)}`, {
      retryable: true,
      cause: error,
      details: { path: this.path, ...(code ? { code } : {}) },
    });
  }
}

async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, constants.O_RDONLY);
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
