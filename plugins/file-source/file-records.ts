import type { SourceRecord } from '@sluice/sdk';
import type { FileOffset } from './file-position.js';

/** Header naming the file a record comes from (path relative to the source directory, `/`-separated). */
export const FILE_HEADER = 'sluice.file';
/** Header holding the record's line number in its file (the first line, for a CSV record on several lines). */
export const LINE_HEADER = 'sluice.line';

/** What every record of one file shares. */
export interface FileRecordContext {
  /** Path relative to the directory: the lane and the `sluice.file` header. */
  readonly lane: string;
  readonly keyField?: string;
}

function keyOf(value: Record<string, unknown>, keyField: string | undefined): string | null {
  if (keyField === undefined) return null;
  const key = value[keyField];
  if (key === undefined || key === null) return null;
  return typeof key === 'string' ? key : JSON.stringify(key);
}

/** A record read from line `line` of the file; committing it commits `offset`. */
export function fileRecord(context: FileRecordContext, line: number, offset: FileOffset, value: Record<string, unknown>): SourceRecord {
  return {
    value,
    key: keyOf(value, context.keyField),
    headers: { [FILE_HEADER]: context.lane, [LINE_HEADER]: String(line) },
    position: { lane: context.lane, offset: { ...offset } },
  };
}

/** Input at line `line` that could not be made a record: the runtime dead-letters it with the reason. */
export function fileFailure(context: FileRecordContext, line: number, offset: FileOffset, raw: unknown, problem: string): SourceRecord {
  return {
    value: raw,
    key: null,
    headers: { [FILE_HEADER]: context.lane, [LINE_HEADER]: String(line) },
    position: { lane: context.lane, offset: { ...offset } },
    failure: `${context.lane}:${line}: ${problem}`,
  };
}
