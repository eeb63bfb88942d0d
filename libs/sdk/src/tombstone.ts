import { RecordError } from './errors.js';
import type { SluiceRecord } from './record.js';

/** Whether a record is a tombstone: a null value (Kafka's way to say "delete this key"). */
export function isTombstone(record: SluiceRecord): boolean {
  return record.value === null;
}

/** A key column a sink deletes by: its name, its type as the sink names it, and its converter. */
export interface TombstoneKeyColumn {
  readonly name: string;
  readonly type: string;
  /** Converts a raw value for the store; throws when the value does not fit the column. */
  readonly encode: (raw: unknown) => unknown;
}

/**
 * The converted key column values a tombstone deletes, read from its record key, for a sink that
 * deletes by key. With one key column the record key is that column's value: its text, or else the
 * text read as JSON (a number column from "42"). With several it must be a JSON object holding
 * every key column. Throws a non-retryable RecordError naming what is missing or does not convert.
 */
export function tombstoneKey(record: SluiceRecord, keyColumns: readonly TombstoneKeyColumn[]): unknown[] {
  const refuse = (message: string) => new RecordError(`a null value (tombstone) deletes the row of its key, but ${message}`, { retryable: false, details: { key: record.key } });
  if (record.key === null || record.key === undefined) throw refuse('the record has no key');
  const parsed = parseJson(record.key);
  let candidates: Array<readonly unknown[]>;
  if (keyColumns.length === 1) candidates = [parsed === undefined ? [record.key] : [record.key, parsed]];
  else {
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw refuse(`with several key columns the record key must be a JSON object with ${keyColumns.map((c) => `"${c.name}"`).join(', ')}`);
    }
    candidates = keyColumns.map((column) => {
      const value = (parsed as Record<string, unknown>)[column.name];
      if (value === undefined || value === null) throw refuse(`the record key has no value for key column "${column.name}"`);
      return [value];
    });
  }
  return keyColumns.map((column, k) => {
    let lastError: unknown;
    for (const raw of candidates[k]!) {
      try {
        return column.encode(raw);
      } catch (cause) {
        lastError = cause;
      }
    }
    throw refuse(`key column "${column.name}" (${column.type}): ${lastError instanceof Error ? lastError.message : String(lastError)}`);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
