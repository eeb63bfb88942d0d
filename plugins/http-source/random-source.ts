import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

/** Random numbers for one purpose (template values, schedule waits, backoff jitter). */
export interface RandomSource {
  /** A float in [0, 1). */
  float(): number;
  /** An integer in [min, max], both inclusive (safe integers, min ≤ max). */
  int(min: number, max: number): number;
}

/** The three independent streams one poll draws from. */
export interface PollRandom {
  /** `{{randomInt}}` values. */
  readonly template: RandomSource;
  /** The wait before the next poll (`randomIntervalMs`). */
  readonly schedule: RandomSource;
  /** Jitter of the retry backoff. */
  readonly jitter: RandomSource;
}

/** `Math.random`: for unseeded sources. */
export const mathRandom: RandomSource = {
  float: () => Math.random(),
  int: (min, max) => min + Math.floor(Math.random() * (max - min + 1)),
};

class SeededStream implements RandomSource {
  constructor(private readonly generator: JumpableRandomGenerator) {}

  float(): number {
    return uniformFloat64(this.generator);
  }

  int(min: number, max: number): number {
    return uniformInt(this.generator, min, max);
  }
}

/**
 * The random streams of poll number `sequence`. With a seed they depend only on (seed, sequence):
 * poll n draws the same template values and the same wait whether the source ran since poll 0 or
 * restarted from a checkpoint just before n. The three streams are jumps (2^64 draws) apart, so the
 * ids drawn do not depend on the schedule or on how many retries happened. Without a seed every
 * stream is `Math.random`.
 */
export function pollRandom(seed: number | undefined, sequence: number): PollRandom {
  if (seed === undefined) return { template: mathRandom, schedule: mathRandom, jitter: mathRandom };
  const base = xoroshiro128plus(mix(seed, sequence) | 0);
  const template = new SeededStream(base.clone());
  base.jump();
  const schedule = new SeededStream(base.clone());
  base.jump();
  const jitter = new SeededStream(base.clone());
  return { template, schedule, jitter };
}

/** A 32-bit hash of (seed, sequence), both integers ≥ 0 up to 2^53 (murmur3 finaliser). */
function mix(seed: number, sequence: number): number {
  const seedHi = Math.floor(seed / 4_294_967_296) >>> 0;
  const sequenceHi = Math.floor(sequence / 4_294_967_296) >>> 0;
  const k1 = fmix32((seed >>> 0) ^ fmix32(seedHi + 0x9e3779b9));
  return fmix32((sequence >>> 0) ^ fmix32((sequenceHi + 0x85ebca6b) ^ k1));
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
