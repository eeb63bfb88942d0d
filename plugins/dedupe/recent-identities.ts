/** A monotonic millisecond clock (`performance` by default; tests pass their own). */
export interface Clock {
  now(): number;
}

export interface RecentIdentitiesOptions {
  /** Most identities remembered at once; beyond it the least recently seen one is forgotten. */
  maxKeys: number;
  /** Forget an identity this many milliseconds after it was last (re)started; undefined: never. */
  ttlMs?: number;
  /** With ttlMs: whether a duplicate restarts its identity's time window. */
  refreshOnDuplicate: boolean;
}

/** No entry: an empty table slot, or the end of the LRU list. */
const NONE = -1;
/** Entries allocated at first; the arrays double from there up to maxKeys. */
const INITIAL_CAPACITY = 1_024;
/** 2^32 / golden ratio: Fibonacci hashing spreads the hash over the table's slots. */
const FIBONACCI_MULTIPLIER = 0x9e3779b1;

/**
 * The window of the `dedupe` transform: a set of at most `maxKeys` 64-bit identity hashes in LRU
 * order, each optionally forgotten `ttlMs` after it was seen. It keeps no strings and no objects,
 * only typed arrays, so its memory is a fixed 16 bytes per entry (24 with ttlMs) plus 4 bytes per
 * table slot, 2 to 4 slots per entry: 24 to 40 bytes per remembered identity (see `byteLength`).
 *
 * - Entries 0..count-1 hold one identity each: its hash halves (`hashHi`, `hashLo`), its
 *   neighbours in the LRU list (`older`, `newer`: entry indexes, NONE at the ends) and, with
 *   ttlMs, when its window started (`startedAt`). Once full, the oldest entry is reused for the
 *   next new identity, so entries never move and the list needs no allocation.
 * - `slots` is an open-addressing table (linear probing, at most half full) of entry indexes,
 *   keyed by the hash. Deleting shifts the following run of entries back instead of leaving
 *   tombstones, so lookups never slow down however many identities were evicted.
 * - Until maxKeys entries are in use, the arrays double when full (and the table is rebuilt), so a
 *   window that never fills never pays for all of maxKeys.
 *
 * Semantics are those of lru-cache with `max`, `ttl`, `updateAgeOnGet` and `ttlResolution: 0`,
 * which this replaces: an identity is expired when `now - startedAt > ttlMs`; a duplicate (even an
 * expired one) becomes the most recently seen; expired entries stay counted until evicted.
 */
export class RecentIdentities {
  private readonly maxKeys: number;
  private readonly ttlMs: number | undefined;
  private readonly refreshOnDuplicate: boolean;
  private readonly clock: Clock;
  private capacity: number;
  private count = 0;
  private hashHi: Uint32Array;
  private hashLo: Uint32Array;
  private older: Int32Array;
  private newer: Int32Array;
  private startedAt: Float64Array | undefined;
  private slots!: Int32Array;
  /** 32 - log2(slots.length): the top bits of the Fibonacci product pick the home slot. */
  private slotShift = 0;
  /** Least recently seen entry, evicted next; NONE when empty. */
  private oldest = NONE;
  /** Most recently seen entry; NONE when empty. */
  private newest = NONE;

  constructor(options: RecentIdentitiesOptions, clock: Clock) {
    if (!Number.isInteger(options.maxKeys) || options.maxKeys < 1) throw new RangeError(`maxKeys must be a positive integer, got ${options.maxKeys}`);
    this.maxKeys = options.maxKeys;
    this.ttlMs = options.ttlMs;
    this.refreshOnDuplicate = options.refreshOnDuplicate;
    this.clock = clock;
    this.capacity = Math.min(options.maxKeys, INITIAL_CAPACITY);
    this.hashHi = new Uint32Array(this.capacity);
    this.hashLo = new Uint32Array(this.capacity);
    this.older = new Int32Array(this.capacity);
    this.newer = new Int32Array(this.capacity);
    this.startedAt = this.ttlMs === undefined ? undefined : new Float64Array(this.capacity);
    this.buildTable();
  }

  /** Identities remembered, expired ones not yet evicted included. */
  get size(): number {
    return this.count;
  }

  /** Bytes held by the typed arrays: the whole state but a few fields. */
  get byteLength(): number {
    const entries = this.hashHi.byteLength + this.hashLo.byteLength + this.older.byteLength + this.newer.byteLength + (this.startedAt?.byteLength ?? 0);
    return entries + this.slots.byteLength;
  }

  /**
   * Records a sighting of the identity hashed to (hi, lo) and tells whether it is a duplicate:
   * true when it is remembered and not expired (it becomes the most recently seen, and with
   * refreshOnDuplicate its window restarts); false when it is new or expired (it is remembered
   * from now on as the most recently seen, evicting the least recently seen one when full).
   */
  markSeen(hi: number, lo: number): boolean {
    const slots = this.slots;
    const mask = slots.length - 1;
    for (let slot = this.homeSlot(hi, lo); ; slot = (slot + 1) & mask) {
      const entry = slots[slot];
      if (entry === NONE) break;
      if (this.hashLo[entry] !== lo || this.hashHi[entry] !== hi) continue;
      this.touch(entry);
      if (this.startedAt === undefined) return true;
      const now = this.clock.now();
      if (now - this.startedAt[entry] > this.ttlMs!) {
        this.startedAt[entry] = now;
        return false;
      }
      if (this.refreshOnDuplicate) this.startedAt[entry] = now;
      return true;
    }
    this.remember(hi, lo);
    return false;
  }

  private remember(hi: number, lo: number): void {
    if (this.count === this.capacity && this.capacity < this.maxKeys) this.grow();
    let entry: number;
    if (this.count < this.capacity) {
      entry = this.count++;
    } else {
      entry = this.oldest;
      this.unlink(entry);
      this.removeFromTable(entry);
    }
    this.hashHi[entry] = hi;
    this.hashLo[entry] = lo;
    if (this.startedAt !== undefined) this.startedAt[entry] = this.clock.now();
    this.insertIntoTable(entry);
    this.append(entry);
  }

  private homeSlot(hi: number, lo: number): number {
    return Math.imul(hi ^ lo, FIBONACCI_MULTIPLIER) >>> this.slotShift;
  }

  private insertIntoTable(entry: number): void {
    const slots = this.slots;
    const mask = slots.length - 1;
    let slot = this.homeSlot(this.hashHi[entry], this.hashLo[entry]);
    while (slots[slot] !== NONE) slot = (slot + 1) & mask;
    slots[slot] = entry;
  }

  /**
   * Backward-shift deletion: empties the entry's slot, then moves back each following entry of
   * the run whose home slot does not lie between the hole and itself, so every remaining entry
   * stays reachable from its home slot without tombstones.
   */
  private removeFromTable(entry: number): void {
    const slots = this.slots;
    const mask = slots.length - 1;
    let hole = this.homeSlot(this.hashHi[entry], this.hashLo[entry]);
    while (slots[hole] !== entry) hole = (hole + 1) & mask;
    for (let slot = (hole + 1) & mask; slots[slot] !== NONE; slot = (slot + 1) & mask) {
      const moved = slots[slot];
      const home = this.homeSlot(this.hashHi[moved], this.hashLo[moved]);
      // `moved` may fill the hole when the hole lies cyclically in [home, slot).
      if (((slot - home) & mask) >= ((slot - hole) & mask)) {
        slots[hole] = moved;
        hole = slot;
      }
    }
    slots[hole] = NONE;
  }

  /** Makes the entry the most recently seen. */
  private touch(entry: number): void {
    if (entry === this.newest) return;
    this.unlink(entry);
    this.append(entry);
  }

  private unlink(entry: number): void {
    const older = this.older[entry];
    const newer = this.newer[entry];
    if (older === NONE) this.oldest = newer;
    else this.newer[older] = newer;
    if (newer === NONE) this.newest = older;
    else this.older[newer] = older;
  }

  private append(entry: number): void {
    this.older[entry] = this.newest;
    this.newer[entry] = NONE;
    if (this.newest === NONE) this.oldest = entry;
    else this.newer[this.newest] = entry;
    this.newest = entry;
  }

  /** Doubles the entry arrays (up to maxKeys) and rebuilds the table for the new capacity. */
  private grow(): void {
    this.capacity = Math.min(this.capacity * 2, this.maxKeys);
    this.hashHi = grown(this.hashHi, new Uint32Array(this.capacity));
    this.hashLo = grown(this.hashLo, new Uint32Array(this.capacity));
    this.older = grown(this.older, new Int32Array(this.capacity));
    this.newer = grown(this.newer, new Int32Array(this.capacity));
    if (this.startedAt !== undefined) this.startedAt = grown(this.startedAt, new Float64Array(this.capacity));
    this.buildTable();
  }

  /** A table of at least twice the capacity (a power of two, 2 at least), holding every entry. */
  private buildTable(): void {
    let bits = 1;
    while (2 ** bits < this.capacity * 2) bits++;
    this.slots = new Int32Array(2 ** bits).fill(NONE);
    this.slotShift = 32 - bits;
    for (let entry = 0; entry < this.count; entry++) this.insertIntoTable(entry);
  }
}

function grown<T extends Uint32Array | Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
