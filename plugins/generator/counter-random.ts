/**
 * A counter-based pseudo-random generator: `reset(seed, counter)` puts it in a state that depends
 * only on those two numbers, so record n can be generated without generating records 0..n-1
 * (restarting from a checkpoint is O(1)). The stream after a reset is sfc32 (Chris Doty-Humphrey's
 * Small Fast Counting generator), seeded through the murmur3 finaliser. It is fast and well mixed;
 * it is not cryptographic.
 */
export class CounterRandom {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  /** Positions the generator at the start of the stream of (`seed`, `counter`); both are integers ≥ 0 up to 2^53. */
  reset(seed: number, counter: number): void {
    const seedLo = seed >>> 0;
    const seedHi = Math.floor(seed / 4_294_967_296) >>> 0;
    const counterLo = counter >>> 0;
    const counterHi = Math.floor(counter / 4_294_967_296) >>> 0;
    const k1 = fmix32(seedLo ^ fmix32(seedHi + 0x9e3779b9));
    const k2 = fmix32(counterLo ^ fmix32((counterHi + 0x85ebca6b) ^ k1));
    this.a = k1;
    this.b = k2;
    this.c = fmix32(k1 ^ Math.imul(k2, 0x27d4eb2d));
    this.d = 1;
    // The state words come out of a full-avalanche hash already; a few rounds finish the mixing.
    for (let i = 0; i < 4; i++) this.nextUint32();
  }

  /** An integer in [0, 2^32). */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1) with 32 bits of randomness. */
  nextFloat(): number {
    return this.nextUint32() / 4_294_967_296;
  }

  /** An integer in [min, max] (both inclusive, min ≤ max, a range of at most 2^53). */
  nextInt(min: number, max: number): number {
    const span = max - min + 1;
    if (span <= 4_294_967_296) return min + Math.floor(this.nextFloat() * span);
    // Wide ranges: 53 bits from two draws.
    const high = this.nextUint32() >>> 11;
    const low = this.nextUint32();
    const unit = (high * 4_294_967_296 + low) / 9_007_199_254_740_992;
    return min + Math.floor(unit * span);
  }
}

function fmix32(input: number): number {
  let h = input >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
