import type { Aggregation } from '@sluice/sdk';

/**
 * Aggregates computed in the plugin (Cassandra has no GROUP BY over arbitrary columns and no time
 * bucketing), with SQL's semantics: `count` without a column counts rows, with a column its non-null
 * values; sum/avg/min/max skip nulls and are null when nothing was left.
 *
 * A `weighted` accumulator answers `avg` as the average weighted by the weight given with each
 * value: SUM(value·weight) / SUM(weight) over the rows where neither is null, null when no such row
 * was added or their weights add up to 0.
 */
export class Accumulator {
  private rows = 0;
  private values = 0;
  private sum = 0;
  private min: unknown = null;
  private max: unknown = null;
  private weightedSum = 0;
  private weights = 0;

  constructor(private readonly weighted = false) {}

  /**
   * Adds one row; `value` is the aggregated column's value (decoded), undefined for a plain row
   * count; `weight` is the weight column's value (decoded) of a weighted accumulator.
   */
  add(value: unknown, weight?: unknown): void {
    this.rows++;
    if (value === null || value === undefined) return;
    if (this.weighted && typeof value === 'number' && typeof weight === 'number') {
      this.weightedSum += value * weight;
      this.weights += weight;
    }
    this.values++;
    if (typeof value === 'number') this.sum += value;
    if (this.min === null || compareValues(value, this.min) < 0) this.min = value;
    if (this.max === null || compareValues(value, this.max) > 0) this.max = value;
  }

  result(fn: Aggregation, countsRows: boolean): unknown {
    switch (fn) {
      case 'count':
        return countsRows ? this.rows : this.values;
      case 'sum':
        return this.values === 0 ? null : this.sum;
      case 'avg':
        if (this.weighted) return this.weights === 0 ? null : this.weightedSum / this.weights;
        return this.values === 0 ? null : this.sum / this.values;
      case 'min':
        return this.min;
      case 'max':
        return this.max;
    }
  }
}

/**
 * Orders two non-null decoded values of one column: numbers numerically (times are epoch ms),
 * booleans false before true, strings by code point, which is the order of their UTF-8 bytes, as
 * Cassandra compares text.
 */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return compareText(String(a), String(b));
}

function compareText(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** UTF-16 units re-ranked so that surrogates (code points above U+FFFF) sort after U+E000–U+FFFF. */
function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

/** Sort order with nulls last when ascending and first when descending (as PostgreSQL does). */
export function compareForSort(a: unknown, b: unknown, direction: 'asc' | 'desc'): number {
  const aNull = a === null || a === undefined;
  const bNull = b === null || b === undefined;
  let order: number;
  if (aNull || bNull) order = aNull && bNull ? 0 : aNull ? 1 : -1;
  else order = compareValues(a, b);
  return direction === 'asc' ? order : -order;
}

/**
 * Fixed-width time buckets anchored at `from`: bucket i covers [from + i·width, from + (i+1)·width),
 * so every bucket start lies within [from, to]. Only buckets holding rows exist (no gap filling).
 */
export class TimeBuckets {
  private readonly series = new Map<string, Map<number, Accumulator>>();

  /** `weighted`: the buckets' accumulators are weighted (see {@link Accumulator}). */
  constructor(
    private readonly from: number,
    private readonly to: number,
    private readonly width: number,
    private readonly weighted = false,
  ) {}

  /** Adds a row at `time` (epoch ms) to the series `name`; rows outside [from, to] are ignored. */
  add(name: string, time: number, value: unknown, weight?: unknown): void {
    if (!(time >= this.from && time <= this.to)) return;
    const index = Math.floor((time - this.from) / this.width);
    let buckets = this.series.get(name);
    if (!buckets) this.series.set(name, (buckets = new Map()));
    let accumulator = buckets.get(index);
    if (!accumulator) buckets.set(index, (accumulator = new Accumulator(this.weighted)));
    accumulator.add(value, weight);
  }

  /** Makes sure a series exists even without rows (an ungrouped query always answers one series). */
  ensure(name: string): void {
    if (!this.series.has(name)) this.series.set(name, new Map());
  }

  /** The series by name (sorted), points `[value, bucketStartMs]` in ascending time. */
  result(fn: Aggregation): Array<{ name: string; points: Array<readonly [number | null, number]> }> {
    return [...this.series.keys()]
      .sort((a, b) => compareValues(a, b))
      .map((name) => {
        const buckets = this.series.get(name)!;
        const points = [...buckets.keys()]
          .sort((a, b) => a - b)
          .map((index) => [buckets.get(index)!.result(fn, true) as number | null, this.from + index * this.width] as const);
        return { name, points };
      });
  }
}
