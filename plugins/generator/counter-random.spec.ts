import { describe, expect, it } from '@jest/globals';
import { CounterRandom } from './counter-random.js';

function draw(seed: number, counter: number, n: number): number[] {
  const random = new CounterRandom();
  random.reset(seed, counter);
  return Array.from({ length: n }, () => random.nextUint32());
}

describe('CounterRandom', () => {
  it('gives the same stream for the same (seed, counter), whatever came before', () => {
    const random = new CounterRandom();
    random.reset(1, 99);
    for (let i = 0; i < 50; i++) random.nextUint32();
    random.reset(7, 3);
    const again = Array.from({ length: 8 }, () => random.nextUint32());
    expect(again).toEqual(draw(7, 3, 8));
  });

  it('gives different streams for neighbouring counters and seeds', () => {
    const streams = new Set<string>();
    for (let seed = 0; seed < 4; seed++) for (let counter = 0; counter < 64; counter++) streams.add(draw(seed, counter, 4).join(','));
    expect(streams.size).toBe(4 * 64);
    // Counters above 2^32 are distinct too (the high word takes part in the seeding).
    expect(draw(1, 2 ** 32 + 5, 4)).not.toEqual(draw(1, 5, 4));
  });

  it('produces well spread 32-bit values and floats in [0, 1)', () => {
    const random = new CounterRandom();
    random.reset(42, 0);
    const buckets = new Array(16).fill(0);
    let outOfRange = 0;
    for (let i = 0; i < 16_000; i++) {
      const value = random.nextUint32();
      if (!(Number.isInteger(value) && value >= 0 && value < 2 ** 32)) outOfRange++;
      buckets[value >>> 28]++;
      const float = random.nextFloat();
      if (!(float >= 0 && float < 1)) outOfRange++;
    }
    expect(outOfRange).toBe(0);
    // Each of the 16 buckets expects ~1000 hits; a broken generator piles them up.
    for (const count of buckets) expect(count).toBeGreaterThan(800);
  });

  it('draws integers over the whole inclusive range, narrow and wide', () => {
    const random = new CounterRandom();
    random.reset(3, 1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(random.nextInt(-2, 2));
    expect([...seen].sort()).toEqual([-1, -2, 0, 1, 2]);
    const wide: number[] = [];
    for (let i = 0; i < 1000; i++) wide.push(random.nextInt(0, 2 ** 50));
    expect(wide.every((v) => Number.isSafeInteger(v) && v >= 0 && v <= 2 ** 50)).toBe(true);
    expect(Math.max(...wide)).toBeGreaterThan(2 ** 49);
  });
});
