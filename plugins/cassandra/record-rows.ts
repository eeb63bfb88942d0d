import { isTombstone, RecordError, tombstoneKey, type SluiceRecord } from '@sluice/sdk';
import cassandra from 'cassandra-driver';
import { describeValue } from '@sluice/sdk';
import { cqlEncoder, CqlValueError, type CqlEncoder } from './cql-value.js';
import type { CqlColumn, TableDefinition } from './table-definition.js';

const { types } = cassandra;

/** One row to write: the parameters of the prepared INSERT (or DELETE), and the records it stores. */
export interface EncodedRow {
  /** Indexes (in the batch) of the records this row stores: more than one when records share a primary key. */
  readonly indexes: number[];
  /**
   * One parameter per declared column, in declaration order (`types.unset` leaves a column as it
   * is); for a delete, the primary key columns' values in key order.
   */
  readonly params: unknown[];
  /** The row is deleted (the last record of its key was a tombstone). */
  readonly delete?: boolean;
  /** The partition key values, rendered as one string: rows with equal strings share a partition. */
  readonly partition: string;
}

export interface EncodedBatch {
  readonly rows: EncodedRow[];
  /** Records that cannot be stored (a value that does not convert, a missing key), with the reason. */
  readonly failed: Array<{ index: number; error: RecordError }>;
}

/** Reads a dotted path from a record value; own properties only (never `constructor`, `__proto__`...). */
export function readPath(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/**
 * Canonical text of an encoded value, for grouping rows by key: equal key values give equal text.
 * Length-prefixed parts keep it unambiguous whatever the values contain.
 */
export function keyText(value: unknown): string {
  let part: string;
  if (value instanceof Date) part = `t${value.getTime()}`;
  else if (Buffer.isBuffer(value)) part = `b${value.toString('hex')}`;
  else if (value instanceof Map) part = `m${[...value].map(([k, v]) => keyText(k) + keyText(v)).join('')}`;
  else if (Array.isArray(value)) part = `l${value.map(keyText).join('')}`;
  else if (typeof value === 'object' && value !== null) part = `o${String(value)}`; // Long, Uuid, LocalDate, BigDecimal
  else part = `${typeof value}${String(value)}`;
  return `${part.length}:${part}`;
}

/**
 * Turns records into rows of the prepared INSERT: reads each column from its path in the record
 * value and converts it for its CQL type. A record fails on its own, with a message naming the
 * column, the path and the value, when a value does not convert or a primary key column has none.
 * A missing or null value of another column becomes `unset` (the stored value is left as it is,
 * no tombstone) or `null` (deletes it), as configured.
 *
 * Records of one batch sharing a primary key merge into one row, in order: each column holds the
 * last value set for it. Sending both would not keep "last write wins": statements of one batch
 * run concurrently (or in one unlogged batch, with the same timestamp, where Cassandra picks the
 * greater value). The merged row is what writing the records one after the other leaves.
 *
 * With `deleteOnNull`, a record whose value is null (a tombstone) deletes the row of its record
 * key (the primary key column's value, or a JSON object of the primary key columns), in the same
 * order: a later record of the key writes it anew.
 */
export class RecordRows {
  private readonly encoders: CqlEncoder[];
  private readonly keyColumns: ReadonlySet<number>;
  private readonly partitionIndexes: readonly number[];
  private readonly primaryIndexes: readonly number[];
  private readonly missing: unknown;

  constructor(
    private readonly definition: TableDefinition,
    nullValues: 'unset' | 'null',
    private readonly deleteOnNull = false,
  ) {
    const indexOf = (name: string) => definition.columns.findIndex((c) => c.name === name);
    this.encoders = definition.columns.map((c) => cqlEncoder(c.type));
    this.partitionIndexes = definition.partitionKey.map(indexOf);
    this.primaryIndexes = [...this.partitionIndexes, ...definition.clusteringKey.map((k) => indexOf(k.column))];
    this.keyColumns = new Set(this.primaryIndexes);
    this.missing = nullValues === 'null' ? null : types.unset;
  }

  encode(batch: readonly SluiceRecord[]): EncodedBatch {
    const columns = this.definition.columns;
    const rows: EncodedRow[] = [];
    const failed: Array<{ index: number; error: RecordError }> = [];
    const rowOfKey = new Map<string, number>();
    for (let index = 0; index < batch.length; index++) {
      if (this.deleteOnNull && isTombstone(batch[index]!)) {
        const key = this.tombstoneKey(batch[index]!);
        if (key instanceof RecordError) {
          failed.push({ index, error: key });
          continue;
        }
        const partition = this.partitionIndexes.map((_, k) => keyText(key[k])).join('');
        const primary = this.primaryIndexes.length === this.partitionIndexes.length ? partition : key.map(keyText).join('');
        const earlier = rowOfKey.get(primary);
        const row: EncodedRow = { indexes: earlier === undefined ? [index] : [...rows[earlier]!.indexes, index], params: key, partition, delete: true };
        if (earlier === undefined) {
          rowOfKey.set(primary, rows.length);
          rows.push(row);
        } else rows[earlier] = row;
        continue;
      }
      const params: unknown[] = new Array(columns.length);
      const error = this.encodeRecord(batch[index].value, columns, params);
      if (error) {
        failed.push({ index, error });
        continue;
      }
      const partition = this.partitionIndexes.map((i) => keyText(params[i])).join('');
      const primary = this.primaryIndexes.length === this.partitionIndexes.length ? partition : this.primaryIndexes.map((i) => keyText(params[i])).join('');
      const at = rowOfKey.get(primary);
      const earlier = at === undefined ? undefined : rows[at]!;
      if (earlier && !earlier.delete) {
        earlier.indexes.push(index);
        params.forEach((value, c) => {
          if (value !== types.unset) earlier.params[c] = value;
        });
        continue;
      }
      // After a tombstone of the key the row starts anew (what it did not set stays deleted).
      const row: EncodedRow = { indexes: earlier ? [...earlier.indexes, index] : [index], params, partition };
      if (at === undefined) {
        rowOfKey.set(primary, rows.length);
        rows.push(row);
      } else rows[at] = row;
    }
    return { rows, failed };
  }

  /** The primary key values (in key order) a tombstone's record key names, or why it names none. */
  private tombstoneKey(record: SluiceRecord): unknown[] | RecordError {
    const columns = this.definition.columns;
    try {
      return tombstoneKey(record, this.primaryIndexes.map((i) => ({ name: columns[i]!.name, type: columns[i]!.typeText, encode: this.encoders[i]! })));
    } catch (error) {
      return error as RecordError;
    }
  }

  private encodeRecord(value: unknown, columns: readonly CqlColumn[], params: unknown[]): RecordError | undefined {
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c];
      const raw = readPath(value, column.path);
      if (raw === undefined || raw === null) {
        if (this.keyColumns.has(c)) {
          return new RecordError(`column "${column.name}" is part of the primary key and has no value at "${column.path.join('.')}" (${describeValue(raw)})`, {
            retryable: false,
            details: { column: column.name, path: column.path.join('.') },
          });
        }
        params[c] = this.missing;
        continue;
      }
      try {
        params[c] = this.encoders[c](raw);
      } catch (cause) {
        if (!(cause instanceof CqlValueError)) throw cause;
        return new RecordError(`column "${column.name}" (${column.typeText}, from "${column.path.join('.')}"): ${cause.message}`, {
          retryable: false,
          details: { column: column.name, path: column.path.join('.'), value: describeValue(raw) },
        });
      }
    }
    return undefined;
  }
}
