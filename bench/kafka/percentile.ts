/**
 * Percentiles (0..100) of `values` by nearest rank, the same rule as the runtime's LatencySamples,
 * in the order asked. Sorts `values` in place; nulls when it is empty.
 */
export function percentiles(values: Float64Array, ps: readonly number[]): Array<number | null> {
  if (values.length === 0) return ps.map(() => null);
  values.sort();
  return ps.map((p) => values[Math.min(values.length - 1, Math.max(0, Math.ceil((p / 100) * values.length) - 1))]);
}
