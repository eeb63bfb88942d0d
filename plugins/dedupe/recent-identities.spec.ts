import { describe, expect, it } from '@jest/globals';
import { RecentIdentities, type RecentIdentitiesOptions } from './recent-identities.js';

/** A clock the test moves by hand, from an arbitrary origin. */
function manualClock() {
  return { time: 0, now() { return 1_000_000 + this.time; } };
}

function windowOf(options: Partial<RecentIdentitiesOptions> & { maxKeys: number }, clock = manualClock()) {
  const window = new RecentIdentities({ refreshOnDuplicate: false, ...options }, clock);
  return { window, clock };
}

/** Slots in use in the window's table (white box: none may be left behind by evictions). */
function occupiedSlots(window: RecentIdentities): number {
  return (window['slots'] as Int32Array).reduce((n, entry) => (entry === -1 ? n : n + 1), 0);
}

/** The inverse of the Fibonacci multiplier modulo 2^32 (Newton's iteration). */
function inverseMod32(odd: number): number {
  let inverse = odd;
  for (let i = 0; i < 5; i++) inverse = Math.imul(inverse, 2 - Math.imul(odd, inverse));
  return inverse >>> 0;
}

/**
 * Distinct hashes (hi = from, from + 1...) sharing one home slot, whatever the table's size: the
 * product of hi ^ lo with the Fibonacci multiplier is `top`, whose leading bits are the slot.
 * 0xffffffff: the last slot (runs wrap around to slot 0); 0: slot 0; 0x80000000: the middle one.
 */
function sameHomeHashes(top: number, count: number, from = 0): Array<[number, number]> {
  const x = Math.imul(top, inverseMod32(0x9e3779b1)) >>> 0;
  return Array.from({ length: count }, (_, i) => [from + i, (x ^ (from + i)) >>> 0]);
}
const LAST_SLOT = 0xffffffff;
const FIRST_SLOT = 0;
const MIDDLE_SLOT = 0x80000000;

/** Reference model: a Map in LRU order (insertion order, re-inserted on use), start times as values. */
class ModelWindow {
  private readonly entries = new Map<string, number>();
  constructor(private readonly options: RecentIdentitiesOptions) {}

  get size() {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  markSeen(key: string, now: number): boolean {
    const startedAt = this.entries.get(key);
    if (startedAt !== undefined) {
      this.entries.delete(key);
      if (this.options.ttlMs !== undefined && now - startedAt > this.options.ttlMs) {
        this.entries.set(key, now);
        return false;
      }
      this.entries.set(key, this.options.refreshOnDuplicate ? now : startedAt);
      return true;
    }
    if (this.entries.size >= this.options.maxKeys) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, now);
    return false;
  }
}

describe('dedupe: window of recent identity hashes', () => {
  it('forgets the least recently seen identity at capacity, a duplicate counting as a sighting', () => {
    const { window } = windowOf({ maxKeys: 3 });
    expect([1, 2, 3].map((k) => window.markSeen(0, k))).toEqual([false, false, false]);
    expect(window.markSeen(0, 1)).toBe(true); // order, oldest first: 2 3 1
    expect(window.markSeen(0, 4)).toBe(false); // evicts 2: 3 1 4
    expect(window.size).toBe(3);
    expect(window.markSeen(0, 3)).toBe(true); // 1 4 3
    expect(window.markSeen(0, 2)).toBe(false); // new again, evicts 1: 4 3 2
    expect(window.markSeen(0, 1)).toBe(false); // evicts 4: 3 2 1
    expect(window.markSeen(0, 4)).toBe(false); // evicts 3: 2 1 4
    expect([2, 1, 4].map((k) => window.markSeen(0, k))).toEqual([true, true, true]);
    expect(window.size).toBe(3);
  });

  it('compares all 64 bits', () => {
    const { window } = windowOf({ maxKeys: 10 });
    expect(window.markSeen(1, 7)).toBe(false);
    expect(window.markSeen(2, 7)).toBe(false);
    expect(window.markSeen(7, 1)).toBe(false);
    expect(window.markSeen(0xffffffff, 0xffffffff)).toBe(false);
    expect([window.markSeen(1, 7), window.markSeen(2, 7), window.markSeen(7, 1), window.markSeen(0xffffffff, 0xffffffff)]).toEqual([true, true, true, true]);
  });

  it('forgets an identity ttlMs after the sighting that passed, then starts a new window', () => {
    const { window, clock } = windowOf({ maxKeys: 10, ttlMs: 1_000 });
    expect(window.markSeen(0, 1)).toBe(false);
    clock.time = 400;
    expect(window.markSeen(0, 2)).toBe(false);
    clock.time = 1_000;
    expect(window.markSeen(0, 1)).toBe(true); // exactly ttlMs: still remembered
    clock.time = 1_001;
    expect(window.markSeen(0, 1)).toBe(false); // expired, and not refreshed by the duplicate at 1 000
    expect(window.markSeen(0, 2)).toBe(true);
    clock.time = 1_401;
    expect(window.markSeen(0, 2)).toBe(false);
    clock.time = 2_001;
    expect(window.markSeen(0, 1)).toBe(true); // its new window started at 1 001
    expect(window.size).toBe(2); // an expired identity is replaced in place, not added twice
  });

  it('restarts the window on each duplicate with refreshOnDuplicate', () => {
    const { window, clock } = windowOf({ maxKeys: 10, ttlMs: 1_000, refreshOnDuplicate: true });
    window.markSeen(0, 1);
    for (const time of [900, 1_800, 2_700]) {
      clock.time = time;
      expect(window.markSeen(0, 1)).toBe(true);
    }
    clock.time = 3_701;
    expect(window.markSeen(0, 1)).toBe(false);
  });

  it('never reads the clock without ttlMs', () => {
    const clock = { now: () => { throw new Error('clock read'); } };
    const window = new RecentIdentities({ maxKeys: 2, refreshOnDuplicate: true }, clock);
    expect([window.markSeen(0, 1), window.markSeen(0, 1), window.markSeen(0, 2), window.markSeen(0, 3)]).toEqual([false, true, false, false]);
  });

  it('stays correct after 10 × maxKeys identities through a small table, runs wrapping around its end', () => {
    const maxKeys = 8;
    const options = { maxKeys, refreshOnDuplicate: false };
    const { window, clock } = windowOf(options);
    const model = new ModelWindow(options);
    const sight = ([hi, lo]: [number, number]) => {
      const seen = window.markSeen(hi, lo);
      expect({ hi, lo, seen }).toEqual({ hi, lo, seen: model.markSeen(`${hi}/${lo}`, clock.now()) });
      return seen;
    };
    const [wrapping] = sameHomeHashes(LAST_SLOT, 1, 100);
    const first = sameHomeHashes(FIRST_SLOT, maxKeys);
    const slots = window['slots'] as Int32Array;
    expect([window['homeSlot'](...wrapping!), window['homeSlot'](...first[0]!)]).toEqual([slots.length - 1, 0]);

    // The last slot, then slots 0..6; evicting the last slot's identity must leave slot 0's
    // identity (home 0) where it is, not shift it back across the end of the table.
    expect([wrapping!, ...first].map(sight)).toEqual(Array<boolean>(maxKeys + 1).fill(false));
    expect(first.map(sight)).toEqual(Array<boolean>(maxKeys).fill(true));
    // Evicting slot 0's identity must shift the rest of its run back, or they become unreachable.
    expect(sight(sameHomeHashes(MIDDLE_SLOT, 1, 200)[0]!)).toBe(false);
    expect(first.slice(1).map(sight)).toEqual(Array<boolean>(maxKeys - 1).fill(true));

    // 10 × maxKeys new identities, homes cycling over the last, first and middle slots, each
    // followed by a sighting of the one 3 before it: evictions hit every part of the runs.
    const tops = [LAST_SLOT, FIRST_SLOT, MIDDLE_SLOT];
    const churn = Array.from({ length: 10 * maxKeys }, (_, i) => sameHomeHashes(tops[i % 3]!, 1, 1_000 + i)[0]!);
    churn.forEach((hash, i) => {
      expect(sight(hash)).toBe(false);
      if (i >= 3) expect(sight(churn[i - 3]!)).toBe(true);
    });
    expect(window.size).toBe(maxKeys);
    expect(occupiedSlots(window)).toBe(maxKeys);
    // The identities remembered are found (sighting them all keeps the set as it is)...
    const remembered = churn.filter(([hi, lo]) => model.has(`${hi}/${lo}`));
    expect(remembered).toHaveLength(maxKeys);
    for (const hash of remembered) expect(sight(hash)).toBe(true);
    // ...and the others are not, each sighting evicting the oldest remembered one.
    for (const hash of churn.slice(0, maxKeys)) expect(sight(hash)).toBe(false);
    for (const hash of churn.slice(0, maxKeys)) expect(sight(hash)).toBe(true);
    expect(occupiedSlots(window)).toBe(maxKeys);
  });

  it('behaves as an LRU map under random sightings, with clustered hashes, growth and ttlMs', () => {
    for (const options of [
      { maxKeys: 5, refreshOnDuplicate: false },
      { maxKeys: 37, refreshOnDuplicate: false },
      { maxKeys: 3_000, refreshOnDuplicate: false },
      { maxKeys: 37, ttlMs: 50, refreshOnDuplicate: false },
      { maxKeys: 2_500, ttlMs: 500, refreshOnDuplicate: true },
    ]) {
      let seed = 11;
      const random = (below: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % below;
      // Half the universe shares one home slot, half is spread; a universe larger than maxKeys.
      const universe = [...sameHomeHashes(LAST_SLOT, Math.ceil(options.maxKeys * 0.8)), ...Array.from({ length: options.maxKeys * 2 }, () => [random(2 ** 32), random(2 ** 32)] as [number, number])];
      const clock = manualClock();
      const window = new RecentIdentities(options, clock);
      const model = new ModelWindow(options);
      let duplicates = 0;
      for (let step = 0; step < 20_000; step++) {
        clock.time += random(3);
        const [hi, lo] = universe[random(universe.length)]!;
        const seen = window.markSeen(hi, lo);
        if (seen !== model.markSeen(`${hi}/${lo}`, clock.now())) throw new Error(`step ${step} of ${JSON.stringify(options)}: window says ${seen}`);
        if (seen) duplicates++;
      }
      expect({ options, size: window.size, slots: occupiedSlots(window) }).toEqual({ options, size: model.size, slots: model.size });
      expect(duplicates).toBeGreaterThan(1_000);
    }
  });

  it('holds well under 64 bytes per identity, allocated as the window fills', () => {
    const measure = (maxKeys: number, ttlMs?: number) => {
      const { window } = windowOf({ maxKeys, ttlMs });
      for (let i = 0; i < maxKeys; i++) window.markSeen(Math.imul(i, 0x85ebca6b) >>> 0, i);
      expect(window.size).toBe(maxKeys);
      return window.byteLength / maxKeys;
    };
    // 16 bytes of entry (24 with ttlMs) and 2 to 4 table slots of 4 bytes.
    expect(measure(200_000)).toBeCloseTo(16 + (4 * 2 ** 19) / 200_000, 6);
    expect(measure(200_000, 60_000)).toBeCloseTo(24 + (4 * 2 ** 19) / 200_000, 6);
    // The worst case, just above a power of two: a table of 4 slots per entry.
    expect(measure(2 ** 17 + 1, 60_000)).toBeLessThanOrEqual(40);
    expect(measure(1)).toBe(16 + 8);
    const { window } = windowOf({ maxKeys: 5_000_000, ttlMs: 60_000 });
    for (let i = 0; i < 10; i++) window.markSeen(0, i);
    expect(window.byteLength).toBeLessThan(100_000);
  });

  it('rejects a maxKeys that is not a positive integer', () => {
    expect(() => windowOf({ maxKeys: 0 })).toThrow('maxKeys must be a positive integer, got 0');
    expect(() => windowOf({ maxKeys: 1.5 })).toThrow('maxKeys must be a positive integer, got 1.5');
  });
});
