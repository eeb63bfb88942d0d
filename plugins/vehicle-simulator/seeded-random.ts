import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

/** A sequential seeded random stream (pure-rand xoroshiro128+, mutated in place). */
export class SeededRandom {
  private constructor(private readonly generator: JumpableRandomGenerator) {}

  /**
   * `count` independent streams for one seed: stream i starts i jumps (2^64 draws each) away from
   * the seed's stream, so the streams never overlap.
   */
  static streams(seed: number, count: number): SeededRandom[] {
    const base = xoroshiro128plus(seed | 0);
    const streams: SeededRandom[] = [];
    for (let i = 0; i < count; i++) {
      base.jump();
      streams.push(new SeededRandom(base.clone()));
    }
    return streams;
  }

  /** A float in [0, 1). */
  float(): number {
    return uniformFloat64(this.generator);
  }

  /** A float in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.float();
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }
}
