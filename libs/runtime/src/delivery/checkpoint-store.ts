import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Checkpoint, JsonValue } from '@sluice/sdk';
import type { StateChangelog } from '#transports';

/**
 * Keeps the committed positions of one pipeline's source in `<dataDir>/state/<pipeline>.checkpoint.json`.
 * Writes are atomic (temporary file, fsync, rename): after a crash the file holds either the old
 * or the new checkpoint, never a torn one.
 *
 * With a `shared` changelog (a source that runs on one host at a time over Kafka), each commit is
 * also written there under the pipeline's name, and `load` reads it from there first: the next
 * host to lead resumes where the last one committed. The file stays as this host's copy (and is
 * what a changelog without the pipeline falls back to, e.g. on the first run over Kafka).
 */
export class CheckpointStore {
  private current: Record<string, JsonValue> = {};
  private writing: Promise<void> = Promise.resolve();
  readonly file: string;

  constructor(
    dataDir: string,
    private readonly pipeline: string,
    private readonly shared?: StateChangelog,
  ) {
    this.file = join(dataDir, 'state', `${pipeline}.checkpoint.json`);
  }

  async load(): Promise<Checkpoint> {
    const sharedText = await this.shared?.read(this.pipeline);
    if (sharedText !== undefined) {
      const positions = (JSON.parse(sharedText) as { positions?: Record<string, JsonValue> }).positions;
      this.current = { ...(positions ?? {}) };
      return { ...this.current };
    }
    try {
      const parsed: unknown = JSON.parse(await readFile(this.file, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      const positions = (parsed as { positions?: unknown }).positions;
      this.current = typeof positions === 'object' && positions !== null ? { ...(positions as Record<string, JsonValue>) } : {};
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read checkpoint ${this.file}: ${(error as Error).message}`);
      this.current = {};
    }
    return { ...this.current };
  }

  get checkpoint(): Checkpoint {
    return { ...this.current };
  }

  /** Merges moved lanes into the checkpoint and persists it; resolves when it is on disk. */
  async commit(moved: Record<string, JsonValue>): Promise<Checkpoint> {
    Object.assign(this.current, moved);
    const snapshot = { ...this.current };
    const write = this.writing.then(() => this.write(snapshot));
    this.writing = write.catch(() => undefined);
    await write;
    return snapshot;
  }

  private async write(positions: Record<string, JsonValue>): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.tmp`;
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(JSON.stringify({ positions, committedAt: new Date().toISOString() }));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.file);
    await this.shared?.write(this.pipeline, JSON.stringify({ positions, committedAt: new Date().toISOString() }));
  }
}
