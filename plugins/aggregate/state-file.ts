import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AggregateConfig } from './aggregate.config.js';
import type { StateSnapshot } from './aggregate-state.js';

/** Format version of the state file. */
export const STATE_FILE_VERSION = 1;

/** What the state file holds. */
export interface StateFileContent extends StateSnapshot {
  readonly version: number;
  /** {@link configFingerprint} of the config that wrote it. */
  readonly fingerprint: string;
  readonly savedAt: string;
}

/**
 * A file-name-safe version of a pipeline or stage name, distinct for distinct names: a name that has
 * to change gets a hash of the original (`transforms[1]` → `transforms_1_~<12 hex>`), so that
 * `a b` and `a_b` do not share a file.
 */
export function safeFileName(name: string): string {
  let safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
  if (safe === '' || safe === '.' || safe === '..') safe = `_${safe}`;
  return safe === name ? safe : `${safe}~${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
}

/** `<dataDir>/state/<pipeline>/<stage>.aggregate.json`, names sanitised. */
export function stateFilePath(dataDir: string, pipeline: string, stage: string): string {
  return join(dataDir, 'state', safeFileName(pipeline), `${safeFileName(stage)}.aggregate.json`);
}

/**
 * A hash of the config fields that shape the state: groupBy, each, metrics, distinct and the
 * window size. A state saved under another fingerprint means something else and is not restored.
 * (allowedLatenessMs, output field names and the other options do not change what the state means.)
 */
export function configFingerprint(config: AggregateConfig): string {
  const shape = {
    groupBy: Object.entries(config.groupBy),
    each: config.each ?? null,
    metrics: Object.entries(config.metrics).map(([name, metric]) => [name, metric.fn, metric.of ?? null]),
    distinct: config.distinct ?? null,
    windowSizeMs: config.window?.sizeMs ?? null,
  };
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex');
}

/** Writes the file atomically: a temporary file, fsync, rename. After a crash it is the old or the new one. */
export async function writeStateFile(file: string, content: StateFileContent): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(JSON.stringify(content));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}

/** The parsed file, or undefined when there is none. Throws when it cannot be read or parsed. */
export async function readStateFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as unknown;
}

/** Deletes the file (and a leftover temporary file); no error when there is none. */
export async function removeStateFile(file: string): Promise<void> {
  await rm(file, { force: true });
  await rm(`${file}.tmp`, { force: true });
}
