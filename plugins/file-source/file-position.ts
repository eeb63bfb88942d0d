import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { JsonValue } from '@sluice/sdk';

/**
 * What tells one file from another under the same name: the SHA-256 of its first bytes (up to
 * {@link IDENTITY_BYTES} for CSV and JSONL files, the whole content for JSON files, which are read
 * whole anyway). A CSV/JSONL file that only grew keeps its identity (its start is unchanged); a file
 * replaced by different content gets another, and is read again from the start; a JSON file whose
 * content changed in any way is read again whole. Size and mtime are not part of it: appending
 * changes both, and copying the same content again changes the mtime.
 */
export interface FileIdentity {
  /** How many leading bytes the hash covers (less than IDENTITY_BYTES only for small files). */
  readonly headBytes: number;
  /** First 16 hex digits of the SHA-256 of those bytes. */
  readonly headHash: string;
}

/**
 * The checkpoint offset of a file lane, and the progress kept in memory while reading it.
 * CSV and JSONL: `byte` is where reading resumes (right after the last handled line) and `line` is
 * that line's number. JSON (parsed whole): `index` is the last handled array element, `line` the
 * line it starts on, `byte` the size of the file version it was read from, `done` whether it was
 * the last element.
 */
export interface FileOffset extends FileIdentity {
  readonly line: number;
  readonly byte: number;
  readonly index?: number;
  readonly done?: boolean;
}

/** Files at most this long are identified by their whole content. */
export const IDENTITY_BYTES = 4096;

async function hashHead(handle: FileHandle, bytes: number): Promise<string> {
  const buffer = Buffer.alloc(bytes);
  let filled = 0;
  while (filled < bytes) {
    const { bytesRead } = await handle.read(buffer, filled, bytes - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return createHash('sha256').update(buffer.subarray(0, filled)).digest('hex').slice(0, 16);
}

/** The identity of the file open as `handle`, whose size is `size`, from its first `maxBytes` bytes at most. */
export async function readIdentity(handle: FileHandle, size: number, maxBytes = IDENTITY_BYTES): Promise<FileIdentity> {
  const headBytes = Math.min(size, maxBytes);
  return { headBytes, headHash: await hashHead(handle, headBytes) };
}

/** Whether the file open as `handle` (now `size` bytes) is still the file `offset` was taken from. */
export async function isSameFile(handle: FileHandle, size: number, offset: FileOffset): Promise<boolean> {
  if (size < offset.headBytes || (offset.index === undefined && size < offset.byte)) return false;
  return (await hashHead(handle, offset.headBytes)) === offset.headHash;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Reads a lane's committed offset back from a checkpoint; throws when it is not a file offset. */
export function parseFileOffset(lane: string, value: JsonValue): FileOffset {
  const o = value as Record<string, JsonValue> | null;
  const valid =
    typeof o === 'object' &&
    o !== null &&
    !Array.isArray(o) &&
    isCount(o.line) &&
    isCount(o.byte) &&
    isCount(o.headBytes) &&
    typeof o.headHash === 'string' &&
    (o.index === undefined || (typeof o.index === 'number' && Number.isSafeInteger(o.index) && o.index >= -1)) &&
    (o.done === undefined || typeof o.done === 'boolean');
  if (!valid) {
    throw new Error(`file: checkpoint lane "${lane}" holds ${JSON.stringify(value)}, expected a file offset { line, byte, headBytes, headHash[, index, done] }`);
  }
  return {
    line: o.line as number,
    byte: o.byte as number,
    headBytes: o.headBytes as number,
    headHash: o.headHash as string,
    ...(o.index === undefined ? {} : { index: o.index as number }),
    ...(o.done === undefined ? {} : { done: o.done as boolean }),
  };
}

/** True when a file needs no further reading: a JSON (or unreadable) file handled to its end, at this size. */
export function isFinished(offset: FileOffset | undefined, size: number): boolean {
  return offset?.done === true && offset.byte === size;
}
