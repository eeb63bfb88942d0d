import { Accumulator, compareForSort, compareValues, TimeBuckets } from './row-aggregation.js';

describe('row aggregation', () => {
  it('aggregates with SQL semantics: count rows or values, nulls skipped, null when empty', () => {
    const acc = new Accumulator();
    for (const value of [3, null, 1, undefined, 8]) acc.add(value);
    expect([acc.result('count', true), acc.result('count', false), acc.result('sum', false), acc.result('avg', false), acc.result('min', false), acc.result('max', false)]).toEqual([5, 3, 12, 4, 1, 8]);
    const empty = new Accumulator();
    empty.add(null);
    expect([empty.result('count', true), empty.result('count', false), empty.result('sum', false), empty.result('avg', false), empty.result('min', false)]).toEqual([1, 0, null, null, null]);
    const text = new Accumulator();
    for (const value of ['pear', 'apple', 'zucchini']) text.add(value);
    expect([text.result('min', false), text.result('max', false)]).toEqual(['apple', 'zucchini']);
  });

  it('averages weighted by the weight of each value, leaving out rows where either is null', () => {
    const acc = new Accumulator(true);
    for (const [value, weight] of [[2, 3], [10, 1], [null, 5], [100, null], [undefined, 2], [7, 0]] as const) acc.add(value, weight);
    expect(acc.result('avg', false)).toBe((2 * 3 + 10 * 1 + 7 * 0) / 4);
    // The other aggregates stay unweighted.
    expect([acc.result('count', true), acc.result('sum', false)]).toEqual([6, 119]);
    const zero = new Accumulator(true);
    zero.add(5, 0);
    zero.add(6, null);
    expect(zero.result('avg', false)).toBeNull();
    expect(new Accumulator(true).result('avg', false)).toBeNull();
    // Weighted buckets: a bucket holding rows whose weights add up to 0 is a null point.
    const buckets = new TimeBuckets(0, 99, 50, true);
    buckets.add('s', 10, 4, 1);
    buckets.add('s', 20, 1, 3);
    buckets.add('s', 60, 9, 0);
    expect(buckets.result('avg')).toEqual([{ name: 's', points: [[7 / 4, 0], [null, 50]] }]);
  });

  it('orders text by code point (UTF-8 byte order, as Cassandra), numbers numerically, false before true', () => {
    expect(compareValues('\u{1F600}', '\uFF01')).toBeGreaterThan(0); // UTF-16 order would say the opposite
    expect(compareValues('ab', 'abc')).toBeLessThan(0);
    expect(compareValues('Z', 'a')).toBeLessThan(0);
    expect(compareValues(10, 9)).toBeGreaterThan(0);
    expect(compareValues(false, true)).toBeLessThan(0);
    expect([3, null, 1].sort((a, b) => compareForSort(a, b, 'asc'))).toEqual([1, 3, null]);
    expect([3, null, 1].sort((a, b) => compareForSort(a, b, 'desc'))).toEqual([null, 3, 1]);
  });

  it('buckets from `from` and ignores times outside [from, to]', () => {
    const buckets = new TimeBuckets(1000, 1999, 250);
    for (const time of [999, 1000, 1249, 1250, 1999, 2000]) buckets.add('s', time, 1);
    buckets.ensure('empty');
    expect(buckets.result('count')).toEqual([
      { name: 'empty', points: [] },
      { name: 's', points: [[2, 1000], [1, 1250], [1, 1750]] },
    ]);
  });
});
