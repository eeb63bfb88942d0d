import { ContiguousTracker } from './contiguous-tracker.js';

describe('ContiguousTracker', () => {
  it('commits only up to the first unacknowledged record when acks arrive out of order', () => {
    const tracker = new ContiguousTracker();
    const entries = [0, 1, 2, 3, 4].map((offset) => tracker.track({ lane: 'a', offset }));
    tracker.ack(entries[2]);
    tracker.ack(entries[4]);
    expect(tracker.takeCommittable()).toBeNull();
    tracker.ack(entries[0]);
    expect(tracker.takeCommittable()?.offsets).toEqual({ a: 0 });
    tracker.ack(entries[1]);
    expect(tracker.takeCommittable()?.offsets).toEqual({ a: 2 });
    tracker.ack(entries[3]);
    expect(tracker.takeCommittable()?.offsets).toEqual({ a: 4 });
    expect(tracker.pending).toBe(0);
  });

  it('keeps lanes independent and ignores double acks', () => {
    const tracker = new ContiguousTracker();
    const a0 = tracker.track({ lane: 'a', offset: 'x' });
    const b0 = tracker.track({ lane: 'b', offset: 10 });
    const a1 = tracker.track({ lane: 'a', offset: 'y' });
    tracker.ack(a1);
    tracker.ack(b0);
    tracker.ack(b0);
    expect(tracker.takeCommittable()?.offsets).toEqual({ b: 10 });
    expect(tracker.pending).toBe(2 - 1);
    tracker.ack(a0);
    expect(tracker.takeCommittable()?.offsets).toEqual({ a: 'y' });
  });

  it('stays correct across compaction of long lanes', () => {
    const tracker = new ContiguousTracker();
    const entries = Array.from({ length: 5000 }, (_, offset) => tracker.track({ lane: 'l', offset }));
    // ack everything but #3000, in reverse order
    for (let i = entries.length - 1; i >= 0; i--) if (i !== 3000) tracker.ack(entries[i]);
    expect(tracker.takeCommittable()?.offsets).toEqual({ l: 2999 });
    tracker.ack(entries[3000]);
    expect(tracker.takeCommittable()?.offsets).toEqual({ l: 4999 });
  });
});

describe('ContiguousTracker record coverage', () => {
  it('counts the records a commit point moved past, and only those', () => {
    const tracker = new ContiguousTracker();
    const entries = [0, 1, 2, 3].map((offset) => tracker.track({ lane: 'a', offset }));
    tracker.ack(entries[1]);
    tracker.ack(entries[3]);
    expect(tracker.covered).toBe(0); // acknowledged but behind an unacknowledged record: redelivered after a crash
    tracker.ack(entries[0]);
    expect(tracker.takeCommittable()).toEqual({ offsets: { a: 1 }, records: 2 });
    tracker.ack(entries[2]);
    expect(tracker.takeCommittable()).toEqual({ offsets: { a: 3 }, records: 2 });
  });

  it('gives back what a failed commit took, unless the lane moved on', () => {
    const tracker = new ContiguousTracker();
    const a = [0, 1].map((offset) => tracker.track({ lane: 'a', offset }));
    const b = tracker.track({ lane: 'b', offset: 7 });
    tracker.ack(a[0]);
    tracker.ack(b);
    const taken = tracker.takeCommittable()!;
    tracker.ack(a[1]);
    tracker.restore(taken);
    expect(tracker.takeCommittable()).toEqual({ offsets: { a: 1, b: 7 }, records: 3 });
  });
});
