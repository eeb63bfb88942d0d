import { describe, expect, it } from '@jest/globals';
import { laneOf, offsetPosition, parseOffset, PartitionProgress } from './partition-progress.js';

function progressWith(assignment: Record<string, number[]>): PartitionProgress {
  const progress = new PartitionProgress();
  progress.assign(assignment, 'member-1');
  return progress;
}

const offsets = (plan: ReturnType<PartitionProgress['plan']>) => plan.commits.map((c) => [c.lane, c.offset.toString()]);

describe('partition progress', () => {
  it('names lanes and converts offsets both ways', () => {
    expect(laneOf('orders', 3)).toBe('orders/3');
    expect(offsetPosition('12')).toBe(12);
    expect(offsetPosition('9007199254740993')).toBe('9007199254740993');
    expect(parseOffset(12)).toBe(12n);
    expect(parseOffset('9007199254740993')).toBe(9007199254740993n);
    for (const bad of [-1, 1.5, '12a', '', null, true, { o: 1 }]) expect(parseOffset(bad as never)).toBeUndefined();
  });

  it('plans offset + 1 for assigned lanes that moved, and only moves forward', () => {
    const progress = progressWith({ t: [0, 1] });
    for (const offset of [5n, 6n, 7n]) progress.received('t/0', offset);
    progress.received('t/1', 0n);
    progress.handedOut('t/0', 7n);
    progress.handedOut('t/1', 0n);
    const plan = progress.plan({ 't/0': 6, 't/1': 0, 'other/0': 100 });
    expect(offsets(plan)).toEqual([['t/0', '7'], ['t/1', '1']]);
    progress.committed(plan);
    expect(offsets(progress.plan({ 't/0': 6, 't/1': 0 }))).toEqual([]);
    expect(offsets(progress.plan({ 't/0': 5 }))).toEqual([]);
    expect(offsets(progress.plan({ 't/0': 7 }))).toEqual([['t/0', '8']]);
  });

  it('never commits offsets read in an earlier assignment, beyond what was handed out, or of unparsable values', () => {
    const progress = progressWith({ t: [0] });
    progress.received('t/0', 10n);
    progress.handedOut('t/0', 12n);
    expect(offsets(progress.plan({ 't/0': 9 }))).toEqual([]); // before the first offset of this assignment
    expect(offsets(progress.plan({ 't/0': 13 }))).toEqual([]); // never handed out
    expect(offsets(progress.plan({ 't/0': 'x' }))).toEqual([]);
    const stale = progress.plan({ 't/0': 11 });
    expect(progress.assign({ t: [0] }, 'member-2')).toEqual([]); // evicted and joined again: a new member
    progress.committed(stale); // ignored: the assignment changed
    expect(offsets(progress.plan({ 't/0': 11 }))).toEqual([]); // nothing read in the new assignment yet
    progress.received('t/0', 11n);
    progress.handedOut('t/0', 11n);
    expect(offsets(progress.plan({ 't/0': 11 }))).toEqual([['t/0', '12']]);
  });

  it('keeps the bookkeeping of partitions the same member keeps, and says where to resume them', () => {
    const progress = progressWith({ t: [0, 1, 2] });
    progress.received('t/0', 0n);
    progress.handedOut('t/0', 4n);
    progress.received('t/1', 7n); // buffered only, never handed out
    progress.received('t/2', 0n);
    progress.handedOut('t/2', 2n);
    const first = progress.plan({ 't/0': 1 });
    progress.committed(first);
    const resume = progress.assign({ t: [0, 1, 3] }, 'member-1');
    expect(resume.map((r) => [r.lane, r.offset.toString()])).toEqual([['t/0', '5']]);
    expect(progress.assigned).toEqual(['t/0', 't/1', 't/3']);
    // Records of t/0 read before the rebalance can still be committed, never below what was committed.
    expect(offsets(progress.plan({ 't/0': 1, 't/2': 2 }))).toEqual([]);
    expect(offsets(progress.plan({ 't/0': 4, 't/2': 2 }))).toEqual([['t/0', '5']]);
    expect(offsets(progress.plan({ 't/1': 7 }))).toEqual([]);
  });

  it('refuses messages of partitions that are not assigned, and reports lag per known partition', () => {
    const progress = progressWith({ a: [0], b: [0] });
    expect(progress.received('c/0', 1n)).toBe(false);
    expect(progress.assigned).toEqual(['a/0', 'b/0']);
    progress.received('a/0', 10n);
    progress.observeHighWatermark('a/0', '25');
    expect(progress.lag()).toEqual({ total: 15, partitions: { 'a/0': 15 } });
    progress.handedOut('a/0', 24n);
    expect(progress.lag()).toEqual({ total: 0, partitions: { 'a/0': 0 } });
    const generation = progress.generation;
    progress.clear();
    expect(progress.generation).toBeGreaterThan(generation);
    expect(progress.assigned).toEqual([]);
  });
});
