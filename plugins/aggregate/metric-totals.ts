import type { MetricFunction } from './aggregate.config.js';

/**
 * The running totals of one metric in one group: every function is computed from them. Values are
 * added one by one; with `distinct`, an entity's values are also removed again (min and max then
 * need a recomputation from the remaining values when the removed value was the extreme).
 *
 * The sum is kept in two parts so that removals leave no floating-point residue on integers: the
 * safe integers are summed exactly (while the sum stays within ±2^53), the other values apart, and
 * that part is exactly 0 again once the last of them is removed.
 */
export interface MetricTotals {
  /** Values aggregated (non-null ones): the `count`, and the divisor of `avg`. */
  n: number;
  /** Sum of the values that are safe integers. */
  whole: number;
  /** Sum of the other values... */
  fraction: number;
  /** ...and how many of them there are. */
  fractional: number;
  min: number | null;
  max: number | null;
}

export function emptyTotals(): MetricTotals {
  return { n: 0, whole: 0, fraction: 0, fractional: 0, min: null, max: null };
}

/** The sum of the values aggregated. */
export function totalSum(totals: MetricTotals): number {
  return totals.whole + totals.fraction;
}

/** Totals as saved in the state file ([n, sum, min, max]); the sum is kept apart unless it is a safe integer. */
export function savedTotals(n: number, sum: number, min: number | null, max: number | null): MetricTotals {
  const whole = Number.isSafeInteger(sum);
  return { n, whole: whole ? sum : 0, fraction: whole ? 0 : sum, fractional: whole ? 0 : n, min, max };
}

export function addValue(totals: MetricTotals, value: number): void {
  totals.n++;
  if (Number.isSafeInteger(value)) totals.whole += value;
  else {
    totals.fraction += value;
    totals.fractional++;
  }
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
  if (Number.isSafeInteger(value)) totals.whole -= value;
  else {
    totals.fractional--;
    totals.fraction = totals.fractional <= 0 ? 0 : totals.fraction - value;
  }
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
      return totalSum(totals);
    case 'avg':
      return totals.n === 0 ? null : totalSum(totals) / totals.n;
    case 'min':
      return totals.min;
    case 'max':
      return totals.max;
  }
}
