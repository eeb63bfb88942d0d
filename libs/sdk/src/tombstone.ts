import { RecordError } from './errors.js';
import type { SluiceRecord } from './record.js';

/** Whether a record is a tombstone: a null value (Kafka's way to say "delete this key"). */
export function isTombstone(record: SluiceRecord): boolean {
  return record.value === null;
}

/**
 * The key columns a tombstone deletes, read from its record key, for a sink that deletes by key:
 * per key column, the raw values to try in order (the sink converts the first its column type
 * takes). With one key column the record key is that column's value: its text, then the text read
 * as JSON (a number column from "42"). With several it must be a JSON object holding every key
 * column. Throws a non-retryable RecordError naming what is missing.
 */
export function tombstoneKey(record: SluiceRecord, keyColumns: readonly string[]): Array<readonly unknown[]> {
  const refuse = (message: string) => new RecordError(`a null value (tombstone) deletes the row of its key, but ${message}`, { retryable: false, details: { key: record.key } });
  if (record.key === null || record.key === undefined) throw refuse('the record has no key');
  const parsed = parseJson(record.key);
  if (keyColumns.length === 1) return [parsed === undefined ? [record.key] : [record.key, parsed]];
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw refuse(`with several key columns the record key must be a JSON object with ${keyColumns.map((c) => `"${c}"`).join(', ')}`);
  }
  return keyColumns.map((column) => {
    const value = (parsed as Record<string, unknown>)[column];
    if (value === undefined || value === null) throw refuse(`the record key has no value for key column "${column}"`);
    return [value];
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
