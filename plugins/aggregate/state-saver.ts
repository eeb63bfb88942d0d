import { describeError, type PluginLogger } from '@sluice/sdk';
import type { AggregateState } from './aggregate-state.js';
import { readStateFile, removeStateFile, STATE_FILE_VERSION, writeStateFile } from './state-file.js';

/**
 * Keeps an {@link AggregateState} in its state file: restores it on start, saves it at most every
 * `intervalMs` after it changed (an unref'd timer: it never holds the process open), on demand,
 * and on stop. Writes are serialised, each one atomic.
 */
export class StateSaver {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** The state version last written (or read): the state is dirty while it differs. */
  private savedVersion: number;
  /** When the state was last written, ISO-8601. */
  lastSavedAt: string | null = null;

  constructor(
    readonly file: string,
    private readonly state: AggregateState,
    private readonly fingerprint: string,
    private readonly intervalMs: number,
    private readonly logger: PluginLogger,
  ) {
    this.savedVersion = state.version;
  }

  /**
   * Restores the saved state when the file exists, is readable and was written for this config;
   * otherwise logs a warning and keeps the state as it is. Returns whether it restored.
   */
  async load(): Promise<boolean> {
    let content: unknown;
    try {
      content = await readStateFile(this.file);
    } catch (error) {
      this.logger.warn({ file: this.file, err: describeError(error) }, 'aggregate state file is unreadable; starting without it');
      return false;
    }
    if (content === undefined) return false;
    const saved = content as { version?: unknown; fingerprint?: unknown };
    if (typeof saved !== 'object' || saved === null || saved.version !== STATE_FILE_VERSION) {
      this.logger.warn({ file: this.file, version: saved?.version }, 'aggregate state file has an unknown format; starting without it');
      return false;
    }
    if (saved.fingerprint !== this.fingerprint) {
      this.logger.warn({ file: this.file }, 'aggregate state file was written for another groupBy/each/metrics/distinct/window config; starting without it');
      return false;
    }
    try {
      this.state.restore(content);
    } catch (error) {
      this.logger.warn({ file: this.file, err: describeError(error) }, 'aggregate state file is corrupt; starting without it');
      return false;
    }
    this.savedVersion = this.state.version;
    this.logger.info({ file: this.file, groups: this.state.groups }, 'aggregate state restored');
    return true;
  }

  /** Whether the state changed since it was last written (or read). */
  get dirty(): boolean {
    return this.state.version !== this.savedVersion;
  }

  /** Call after the state changed: schedules a save unless one is already scheduled. */
  changed(): void {
    if (this.timer !== undefined || this.state.version === this.savedVersion) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.save().catch((error: unknown) => this.logger.error({ file: this.file, err: describeError(error) }, 'cannot save the aggregate state; will retry after the next change'));
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Writes the state as it is now; resolves once it is on disk. */
  save(): Promise<void> {
    this.cancel();
    const version = this.state.version;
    const savedAt = new Date().toISOString();
    const content = { version: STATE_FILE_VERSION, fingerprint: this.fingerprint, savedAt, ...this.state.snapshot() };
    const write = this.writing.then(async () => {
      await writeStateFile(this.file, content);
      this.savedVersion = version;
      this.lastSavedAt = savedAt;
    });
    this.writing = write.catch(() => undefined);
    return write;
  }

  /** Deletes the file once pending writes are done; the current state counts as saved. */
  async remove(): Promise<void> {
    this.cancel();
    const version = this.state.version;
    const removal = this.writing.then(() => removeStateFile(this.file));
    this.writing = removal.catch(() => undefined);
    await removal;
    this.savedVersion = version;
  }

  /** Cancels a scheduled save. */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
