import { InFlightLimit } from './in-flight-limit.js';

/** Lets every settled promise run its callbacks. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('InFlightLimit', () => {
  it('admits what fits at once and counts it until released', async () => {
    const limit = new InFlightLimit(10);
    expect(await limit.acquire(4)).toBe(true);
    expect(await limit.acquire(6)).toBe(true);
    expect(limit.count).toBe(10);
    expect(limit.wouldWait(1)).toBe(true);
    expect(limit.wouldWait(0)).toBe(false);
    expect(await limit.acquire(0)).toBe(true);
    limit.release(4);
    expect(limit.count).toBe(6);
    expect(limit.wouldWait(4)).toBe(false);
  });

  it('makes requests wait while they would pass the limit, and wakes them in the order they came', async () => {
    const limit = new InFlightLimit(10);
    await limit.acquire(8);
    const admitted: string[] = [];
    const big = limit.acquire(5).then(() => admitted.push('five'));
    // One record would fit, but it does not overtake the request waiting before it.
    const small = limit.acquire(1).then(() => admitted.push('one'));
    await settle();
    expect(admitted).toEqual([]);
    expect(limit.waiting).toBe(2);
    limit.release(2);
    await settle();
    expect(admitted).toEqual([]);
    limit.release(1);
    await big;
    await settle();
    expect(admitted).toEqual(['five']);
    expect(limit.count).toBe(10);
    limit.release(1);
    await small;
    expect(admitted).toEqual(['five', 'one']);
    expect(limit.count).toBe(10);
    expect(limit.waiting).toBe(0);
  });

  it('ends a wait when its signal aborts: nothing is counted, and requests behind it that fit go in', async () => {
    const limit = new InFlightLimit(10);
    await limit.acquire(7);
    const stop = new AbortController();
    const big = limit.acquire(5, stop.signal);
    const small = limit.acquire(3);
    await settle();
    expect(limit.waiting).toBe(2);
    stop.abort();
    expect(await big).toBe(false);
    expect(await small).toBe(true);
    expect(limit.count).toBe(10);
    expect(await limit.acquire(1, stop.signal)).toBe(false);
    expect(limit.count).toBe(10);
    expect(limit.waiting).toBe(0);
  });

  it('admits a batch larger than the limit once nothing else is in flight, so it cannot deadlock', async () => {
    const limit = new InFlightLimit(10);
    expect(await limit.acquire(25)).toBe(true);
    limit.release(25);
    await limit.acquire(3);
    let admitted = false;
    const oversized = limit.acquire(25).then((result) => (admitted = result));
    await settle();
    expect(admitted).toBe(false);
    limit.release(3);
    await oversized;
    expect(admitted).toBe(true);
    expect(limit.count).toBe(25);
    expect(limit.wouldWait(1)).toBe(true);
  });

  it('counts records that must not be refused past the limit, and makes later requests wait for them', async () => {
    const limit = new InFlightLimit(10);
    await limit.acquire(9);
    limit.forceAcquire(5);
    expect(limit.count).toBe(14);
    let admitted = false;
    const next = limit.acquire(2).then(() => (admitted = true));
    limit.release(5);
    await settle();
    expect(admitted).toBe(false);
    limit.release(1);
    await next;
    expect(limit.count).toBe(10);
  });

  it('resolves drained once everything in flight was released', async () => {
    const limit = new InFlightLimit(10);
    await limit.drained();
    await limit.acquire(4);
    let drained = false;
    const done = limit.drained().then(() => (drained = true));
    limit.release(3);
    await settle();
    expect(drained).toBe(false);
    limit.release(1);
    await done;
    expect(drained).toBe(true);
  });

  it('refuses to release more than is in flight, and counts that are not whole numbers', async () => {
    const limit = new InFlightLimit(10);
    await limit.acquire(2);
    expect(() => limit.release(3)).toThrow('released 3 record(s) while only 2 are in flight');
    expect(limit.count).toBe(2);
    expect(() => limit.release(-1)).toThrow(RangeError);
    expect(() => limit.acquire(1.5)).toThrow(RangeError);
    expect(() => new InFlightLimit(0)).toThrow(RangeError);
  });
});
