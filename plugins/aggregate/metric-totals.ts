import type { MetricFunction } from './aggregate.config.js';

/**
 * The running totals of one metric in one group: every function is computed from them. Values are
 * added one by one; with `distinct`, an entity's values are also removed again (min and max then
 * need a recomputation from the remaining values when the removed value was the extreme).
 */
export interface MetricTotals {
  /** Values aggregated (non-null ones): the `count`, and the divisor of `avg`. */
  n: number;
  sum: number;
  min: number | null;
  max: number | null;
}

export function emptyTotals(): MetricTotals {
  return { n: 0, sum: 0, min: null, max: null };
}

export function addValue(totals: MetricTotals, value: number): void {
  totals.n++;
  totals.sum += value;
  if (totals.min === null || value < totals.min) totals.min = value;
  if (totals.max === null || value > totals.max) totals.max = value;
}

/**
 * Removes a value added before. Returns true when min or max may be stale (the value was one of
 * them and others remain): the caller then recomputes them with {@link recomputeExtremes}.
 */
export function removeValue(totals: MetricTotals, value: number): boolean {
  totals.n--;
  if (totals.n <= 0) {
    // Exactly empty again: no floating-point residue of additions and subtractions.
    Object.assign(totals, emptyTotals());
    return false;
  }
  totals.sum -= value;
  return value === totals.min || value === totals.max;
}

/** Sets min and max from all the values still aggregated. */
export function recomputeExtremes(totals: MetricTotals, values: Iterable<number>): void {
  totals.min = null;
  totals.max = null;
  for (const value of values) {
    if (totals.min === null || value < totals.min) totals.min = value;
    if (totals.max === null || value > totals.max) totals.max = value;
  }
}

/** The output value of a metric: count and sum of nothing are 0, avg, min and max of nothing null. */
export function metricResult(fn: MetricFunction, totals: MetricTotals): number | null {
  switch (fn) {
    case 'count':
      return totals.n;
    case 'sum':
      return totals.sum;
    case 'avg':
      return totals.n === 0 ? null : totals.sum / totals.n;
    case 'min':
      return totals.min;
    case 'max':
      return totals.max;
  }
}
