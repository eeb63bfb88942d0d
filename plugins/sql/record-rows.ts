import { RecordError, tombstoneKey, type SluiceRecord } from '@sluice/sdk';
import { describeValue } from '@sluice/sdk';
import { columnEncoder, ColumnValueError, type ColumnEncoder } from './column-value.js';
import type { SqlDriverName } from './sql.config.js';
import type { SqlColumn } from './table-schema.js';

export interface EncodedBatch {
  /** One array of column values per row to write, in column order; at most one row per key. */
  readonly rows: unknown[][];
  /** The keys (key column values, in key order) of the rows to delete: tombstones. No key is both written and deleted. */
  readonly deletes: unknown[][];
  /** Records that cannot be stored (a value that does not convert), with the reason. */
  readonly failed: Array<{ index: number; error: RecordError }>;
}

/** Reads a dotted path from a record value; own properties only (never `constructor`, `__proto__`...). */
function readPath(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/**
 * Turns records into table rows: reads each column from its path in the record value and converts
 * it for the driver. A record whose value for a column is missing (non-nullable column) or does not
 * convert fails on its own, with a message naming the column, the path and the value. With `key`
 * (upserts), records sharing a key collapse into one row holding the last of them: one statement
 * cannot touch a row twice (PostgreSQL refuses it) and the last write is what an upsert keeps.
 *
 * With `key` and `deleteOnNull`, a record whose value is null (a Kafka tombstone) deletes the row
 * of its record key, in the same last-one-wins order: the key text is the key column's value with
 * one key column, a JSON object with every key column with several.
 */
export class RecordRows {
  private readonly encoders: ColumnEncoder[];
  private readonly keyIndexes: number[] | null;

  constructor(
    private readonly columns: readonly SqlColumn[],
    driver: SqlDriverName,
    key: readonly string[] | null,
    private readonly deleteOnNull = false,
  ) {
    this.encoders = columns.map((c) => columnEncoder(c.type, driver, c.length));
    this.keyIndexes = key && key.length > 0 ? key.map((name) => columns.findIndex((c) => c.name === name)) : null;
  }

  encode(batch: readonly SluiceRecord[]): EncodedBatch {
    const columns = this.columns;
    const width = columns.length;
    const rows: unknown[][] = [];
    const failed: Array<{ index: number; error: RecordError }> = [];
    const rowOfKey = this.keyIndexes ? new Map<unknown, number>() : null;
    /** Per key, the tombstone's key values (when the last record of the key so far is one). */
    const deleted = new Map<unknown, unknown[]>();
    for (let index = 0; index < batch.length; index++) {
      const value = batch[index].value;
      if (value === null && this.deleteOnNull && this.keyIndexes) {
        const keyValues = this.tombstoneKey(batch[index]);
        if (keyValues instanceof RecordError) failed.push({ index, error: keyValues });
        else {
          const key = this.keyOfValues(keyValues);
          const earlier = rowOfKey!.get(key);
          if (earlier !== undefined) {
            rows[earlier] = [];
            rowOfKey!.delete(key);
          }
          deleted.set(key, keyValues);
        }
        continue;
      }
      const row: unknown[] = new Array(width);
      let error: RecordError | undefined;
      for (let c = 0; c < width; c++) {
        const column = columns[c];
        const raw = readPath(value, column.path);
        if (raw === undefined || raw === null) {
          if (!column.nullable) {
            error = new RecordError(`column "${column.name}": missing value at "${column.path.join('.')}" (${describeValue(raw)}), and the column is not nullable`, {
              retryable: false,
              details: { column: column.name, path: column.path.join('.') },
            });
            break;
          }
          row[c] = null;
          continue;
        }
        try {
          row[c] = this.encoders[c](raw);
        } catch (cause) {
          if (!(cause instanceof ColumnValueError)) throw cause;
          error = new RecordError(`column "${column.name}" (${column.type}, from "${column.path.join('.')}"): ${cause.message}`, {
            retryable: false,
            details: { column: column.name, path: column.path.join('.'), value: describeValue(raw) },
          });
          break;
        }
      }
      if (error) {
        failed.push({ index, error });
        continue;
      }
      if (rowOfKey) {
        const key = this.keyOf(row);
        deleted.delete(key);
        const earlier = rowOfKey.get(key);
        if (earlier !== undefined) {
          rows[earlier] = row;
          continue;
        }
        rowOfKey.set(key, rows.length);
      }
      rows.push(row);
    }
    // Rows a later tombstone replaced were emptied in place.
    return { rows: deleted.size > 0 ? rows.filter((row) => row.length > 0) : rows, deletes: [...deleted.values()], failed };
  }

  private keyOf(row: readonly unknown[]): unknown {
    return this.keyOfValues(this.keyIndexes!.map((i) => row[i]));
  }

  /** The identity of a key (its values in key order): the value itself for one column. */
  private keyOfValues(values: readonly unknown[]): unknown {
    if (values.length === 1) return values[0];
    // Length-prefixed parts: unambiguous whatever the values contain.
    let key = '';
    for (const value of values) {
      const part = String(value);
      key += `${part.length}:${part}|`;
    }
    return key;
  }

  /** The encoded key column values a tombstone's record key names, or why it names none. */
  private tombstoneKey(record: SluiceRecord): unknown[] | RecordError {
    try {
      return tombstoneKey(record, this.keyIndexes!.map((i) => ({ name: this.columns[i]!.name, type: this.columns[i]!.type, encode: this.encoders[i]! })));
    } catch (error) {
      return error as RecordError;
    }
  }
}
