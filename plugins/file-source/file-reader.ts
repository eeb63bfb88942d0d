import type { FileHandle } from 'node:fs/promises';
import type { SourceRecord } from '@sluice/sdk';
import type { FileIdentity, FileOffset } from './file-position.js';
import type { FileRecordContext } from './file-records.js';

/** One pass over one file: from where the last pass (or the checkpoint) left off to its current end. */
export interface ReadSession extends FileRecordContext {
  readonly handle: FileHandle;
  /** The file's size when the pass began: the pass reads no further. */
  readonly size: number;
  /** The file is complete (once mode, or unchanged for a poll interval): a last line without line break is read too. */
  readonly final: boolean;
  /** The file's identity now; every offset of this pass carries it. */
  readonly identity: FileIdentity;
  /** Where to resume (from the checkpoint or the previous pass); none = from the start. */
  readonly resume?: FileOffset;
  readonly maxLineBytes: number;
  /** Largest file of a codec that reads files as one document (`resume: 'item'`). */
  readonly maxJsonBytes: number;
}

/** Reads records from one file in bounded batches. */
export interface FileReader {
  /** Up to `max` records (failures included); an empty array once nothing more is available in this pass. */
  read(max: number): Promise<SourceRecord[]>;
  /** How far the pass got: where the next pass resumes. */
  readonly progress: FileOffset | undefined;
}

/** `array`, `string`, `null`... for messages about non-object JSON values. */
export function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
