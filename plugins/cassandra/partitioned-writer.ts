import type { EncodedRow } from './record-rows.js';

/** What goes to Cassandra as one request: one row (an INSERT) or several rows of one partition (an unlogged batch). */
export type WriteUnit = readonly EncodedRow[];

export interface PartitionedWriterOptions {
  /** Most units in flight at once. */
  readonly concurrency: number;
  /** Most rows per unit (1: every row alone). */
  readonly maxBatchRows: number;
  /** How often units that failed with a retryable error are sent again. */
  readonly retries: number;
  /** Wait before the first retry, doubled for each further one (ms). */
  readonly retryBackoffMs: number;
  /** Sends one unit: an INSERT for one row, an unlogged batch for more. */
  readonly execute: (unit: WriteUnit) => Promise<unknown>;
  /** Whether an error of `execute` is worth retrying. */
  readonly isRetryable: (error: unknown) => boolean;
  /** Waits (tests replace it). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface WriteOutcome {
  /** Rows the server refused for good (a non-retryable error of the row on its own). */
  readonly refused: Array<{ readonly row: EncodedRow; readonly error: unknown }>;
  /** Rows still failing with a retryable error after the retries (the cluster is unavailable or overloaded). */
  readonly unavailable: Array<{ readonly row: EncodedRow; readonly error: unknown }>;
}

/**
 * Groups rows into units: rows sharing a partition key, up to `maxBatchRows` each, in the order
 * their partitions first appear. A unit of several rows is one partition's mutation, which is what
 * unlogged batches are good for (one request, one replica set, applied together); rows of other
 * partitions go as separate statements, never in one batch (that would make one coordinator fan
 * out to many replica sets and wait for all of them).
 */
export function planUnits(rows: readonly EncodedRow[], maxBatchRows: number): WriteUnit[] {
  if (maxBatchRows <= 1) return rows.map((row) => [row]);
  const byPartition = new Map<string, EncodedRow[][]>();
  const units: EncodedRow[][] = [];
  for (const row of rows) {
    let chunks = byPartition.get(row.partition);
    if (!chunks) byPartition.set(row.partition, (chunks = []));
    let last = chunks[chunks.length - 1];
    if (!last || last.length >= maxBatchRows) {
      last = [];
      chunks.push(last);
      units.push(last);
    }
    last.push(row);
  }
  return units;
}

/**
 * Writes rows with at most `concurrency` requests in flight, and tells which rows failed and how.
 *
 * - A unit that fails with a non-retryable error: a single row is refused (its records are
 *   dead-lettered with the server's message); a batch is split and its rows are sent one by one, so
 *   only the rows that fail alone are refused.
 * - A unit that fails with a retryable error is sent again, only it, up to `retries` times with
 *   exponential backoff. Rows still failing come back as `unavailable`: the caller fails the whole
 *   write retryably (the runtime retries it; the rows written meanwhile are written again, which
 *   upserts make harmless).
 */
export class PartitionedWriter {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: PartitionedWriterOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async write(rows: readonly EncodedRow[]): Promise<WriteOutcome> {
    const refused: Array<{ row: EncodedRow; error: unknown }> = [];
    let pending = planUnits(rows, this.options.maxBatchRows);
    let failures: Array<{ unit: WriteUnit; error: unknown }> = [];
    for (let attempt = 0; ; attempt++) {
      failures = await this.run(pending, refused);
      if (failures.length === 0 || attempt >= this.options.retries) break;
      await this.sleep(this.options.retryBackoffMs * 2 ** attempt);
      pending = failures.map((f) => f.unit);
    }
    return {
      refused,
      unavailable: failures.flatMap(({ unit, error }) => unit.map((row) => ({ row, error }))),
    };
  }

  /** Runs units through the pool; returns those that failed retryably (refusals go to `refused`). */
  private async run(units: WriteUnit[], refused: Array<{ row: EncodedRow; error: unknown }>): Promise<Array<{ unit: WriteUnit; error: unknown }>> {
    const queue = [...units];
    const retryable: Array<{ unit: WriteUnit; error: unknown }> = [];
    let next = 0;
    const worker = async () => {
      while (next < queue.length) {
        const unit = queue[next++];
        try {
          await this.options.execute(unit);
        } catch (error) {
          if (this.options.isRetryable(error)) retryable.push({ unit, error });
          else if (unit.length > 1) for (const row of unit) queue.push([row]);
          else refused.push({ row: unit[0], error });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, queue.length) }, worker));
    return retryable;
  }
}
