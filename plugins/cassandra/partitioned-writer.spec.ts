import cassandra from 'cassandra-driver';
import { PartitionedWriter, planUnits, type PartitionedWriterOptions, type WriteUnit } from './partitioned-writer.js';
import type { EncodedRow } from './record-rows.js';

const { errors, types } = cassandra;
const row = (partition: string, id: number): EncodedRow => ({ indexes: [id], params: [partition, id], partition });
const ids = (unit: WriteUnit) => unit.map((r) => r.indexes[0]);
const timeout = () => new errors.ResponseError(types.responseErrorCodes.writeTimeout, 'Operation timed out');
const invalid = (message = 'Key may not be empty') => new errors.ResponseError(types.responseErrorCodes.invalid, message);
const isRetryable = (error: unknown) => !(error instanceof errors.ResponseError && error.code === types.responseErrorCodes.invalid);

function writer(execute: PartitionedWriterOptions['execute'], overrides: Partial<PartitionedWriterOptions> = {}) {
  const sleeps: number[] = [];
  const instance = new PartitionedWriter({
    concurrency: 4,
    maxBatchRows: 3,
    retries: 2,
    retryBackoffMs: 100,
    execute,
    isRetryable,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });
  return { instance, sleeps };
}

describe('partitioned writer', () => {
  it('groups rows by partition, in order of first appearance, at most maxBatchRows per unit', () => {
    const rows = [row('a', 0), row('b', 1), row('a', 2), row('a', 3), row('c', 4), row('a', 5), row('b', 6)];
    expect(planUnits(rows, 3).map(ids)).toEqual([[0, 2, 3], [1, 6], [4], [5]]);
    expect(planUnits(rows, 1).map(ids)).toEqual([[0], [1], [2], [3], [4], [5], [6]]);
  });

  it('keeps at most `concurrency` units in flight and writes every row', async () => {
    let inFlight = 0;
    let peak = 0;
    const written: number[] = [];
    const { instance } = writer(
      async (unit) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        written.push(...ids(unit));
        inFlight--;
      },
      { concurrency: 3, maxBatchRows: 1 },
    );
    const rows = Array.from({ length: 20 }, (_, i) => row(`p${i}`, i));
    expect(await instance.write(rows)).toEqual({ refused: [], unavailable: [] });
    expect(peak).toBe(3);
    expect(written.sort((a, b) => a - b)).toEqual(rows.map((r) => r.indexes[0]));
  });

  it('splits a batch the server refuses and refuses only the rows that fail alone', async () => {
    const calls: number[][] = [];
    const { instance, sleeps } = writer(async (unit) => {
      calls.push(ids(unit));
      if (unit.some((r) => r.indexes[0] === 2)) throw invalid();
    });
    const outcome = await instance.write([row('a', 0), row('a', 1), row('a', 2), row('b', 3)]);
    expect(outcome.refused.map((r) => r.row.indexes[0])).toEqual([2]);
    expect((outcome.refused[0].error as Error).message).toBe('Key may not be empty');
    expect(outcome.unavailable).toEqual([]);
    expect(calls.map((c) => c.join(',')).sort()).toEqual(['0', '0,1,2', '1', '2', '3'].sort());
    expect(sleeps).toEqual([]);
  });

  it('retries only the units that failed retryably, with doubling backoff', async () => {
    const attempts = new Map<number, number>();
    const { instance, sleeps } = writer(async (unit) => {
      const first = unit[0].indexes[0];
      const attempt = (attempts.get(first) ?? 0) + 1;
      attempts.set(first, attempt);
      if (first === 1 && attempt < 3) throw timeout();
    });
    const outcome = await instance.write([row('a', 0), row('b', 1), row('c', 2)]);
    expect(outcome).toEqual({ refused: [], unavailable: [] });
    expect(Object.fromEntries(attempts)).toEqual({ 0: 1, 1: 3, 2: 1 });
    expect(sleeps).toEqual([100, 200]);
  });

  it('reports rows still failing retryably after the retries as unavailable', async () => {
    const { instance, sleeps } = writer(async (unit) => {
      if (unit[0].partition === 'down') throw timeout();
    });
    const outcome = await instance.write([row('ok', 0), row('down', 1), row('down', 2)]);
    expect(outcome.refused).toEqual([]);
    expect(outcome.unavailable.map((u) => u.row.indexes[0])).toEqual([1, 2]);
    expect((outcome.unavailable[0].error as Error).message).toBe('Operation timed out');
    expect(sleeps).toEqual([100, 200]);
  });

  it('retries nothing with retries: 0', async () => {
    let calls = 0;
    const { instance, sleeps } = writer(
      async () => {
        calls++;
        throw timeout();
      },
      { retries: 0 },
    );
    expect((await instance.write([row('a', 0)])).unavailable).toHaveLength(1);
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
  });
});
