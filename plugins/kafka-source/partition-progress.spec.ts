import { describe, expect, it } from '@jest/globals';
import { laneOf, offsetPosition, parseOffset, PartitionProgress } from './partition-progress.js';

function progressWith(assignment: Record<string, number[]>): PartitionProgress {
  const progress = new PartitionProgress();
  progress.assign(assignment);
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
    progress.assign({ t: [0] });
    progress.committed(stale); // ignored: the assignment changed
    expect(offsets(progress.plan({ 't/0': 11 }))).toEqual([]); // nothing read in the new assignment yet
    progress.received('t/0', 11n);
    progress.handedOut('t/0', 11n);
    expect(offsets(progress.plan({ 't/0': 11 }))).toEqual([['t/0', '12']]);
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
