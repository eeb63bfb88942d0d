import { OffsetTracker } from './offset-tracker.js';

describe('OffsetTracker', () => {
  it('commits one past the last contiguously handled offset, per topic-partition', () => {
    const tracker = new OffsetTracker();
    const a = ['10', '11', '12'].map((offset) => tracker.track('t', 0, offset));
    const b = tracker.track('t', 1, '7');
    tracker.handled(a[1]);
    expect(tracker.takeCommittable()).toEqual([]);
    tracker.handled(a[0]);
    tracker.handled(b);
    expect(tracker.takeCommittable()).toEqual([
      { topic: 't', partition: 0, offset: '12' },
      { topic: 't', partition: 1, offset: '8' },
    ]);
    tracker.handled(a[2]);
    expect(tracker.takeCommittable()).toEqual([{ topic: 't', partition: 0, offset: '13' }]);
  });

  it('keeps 64-bit offsets exact', () => {
    const tracker = new OffsetTracker();
    tracker.handled(tracker.track('t', 3, '9007199254740993'));
    expect(tracker.takeCommittable()).toEqual([{ topic: 't', partition: 3, offset: '9007199254740994' }]);
  });

  it('knows what it already received per partition (a refetch after a rebalance is skipped)', () => {
    const tracker = new OffsetTracker();
    expect(tracker.alreadyReceived('t', 0, '5')).toBe(false);
    for (const offset of ['5', '6', '7']) tracker.track('t', 0, offset);
    expect(['4', '7', '8'].map((offset) => tracker.alreadyReceived('t', 0, offset))).toEqual([true, true, false]);
    expect(tracker.alreadyReceived('t', 1, '0')).toBe(false);
  });
});
