/**
 * FNV-1a 64, fed with `update(text)` one UTF-16 code unit per step (so for text below U+0100 it
 * equals the standard byte-wise FNV-1a 64 of its Latin-1 bytes); `update(a).update(b)` hashes
 * a + b without building it. One instance is reset and reused per record, so hashing allocates
 * nothing. The 64-bit state is four 16-bit limbs, so every product stays an exact small integer:
 * multiplying by the FNV prime 2^40 + 0x1b3 is `limb * 0x1b3` plus the limb two places down
 * shifted left by 8 bits.
 *
 * Not cryptographic: distinct everyday identities collide about as rarely as random 64-bit values
 * (see DedupeConfig.maxKeys), but someone who controls identities can craft a collision on purpose.
 * Chosen over node:crypto's one-shot `hash('sha1' | 'sha256', text, 'buffer')` for speed: about
 * 0.2 µs against 2.5-3 µs for a 44-character identity on the reference machine.
 */
export class Fnv1a64 {
  // Offset basis 0xcbf29ce484222325, least significant limb first.
  private h0 = 0x2325;
  private h1 = 0x8422;
  private h2 = 0x9ce4;
  private h3 = 0xcbf2;

  /** Back to the hash of the empty text. */
  reset(): this {
    this.h0 = 0x2325;
    this.h1 = 0x8422;
    this.h2 = 0x9ce4;
    this.h3 = 0xcbf2;
    return this;
  }

  /** Hashes `text` after what was hashed since the last reset. */
  update(text: string): this {
    let h0 = this.h0;
    let h1 = this.h1;
    let h2 = this.h2;
    let h3 = this.h3;
    for (let i = 0; i < text.length; i++) {
      h0 ^= text.charCodeAt(i);
      const t0 = h0 * 0x1b3;
      const t1 = h1 * 0x1b3 + (t0 >>> 16);
      const t2 = h2 * 0x1b3 + (h0 << 8) + (t1 >>> 16);
      h3 = (h3 * 0x1b3 + (h1 << 8) + (t2 >>> 16)) & 0xffff;
      h0 = t0 & 0xffff;
      h1 = t1 & 0xffff;
      h2 = t2 & 0xffff;
    }
    this.h0 = h0;
    this.h1 = h1;
    this.h2 = h2;
    this.h3 = h3;
    return this;
  }

  /** The high 32 bits of the hash, unsigned. */
  get hi(): number {
    return ((this.h3 << 16) | this.h2) >>> 0;
  }

  /** The low 32 bits of the hash, unsigned. */
  get lo(): number {
    return ((this.h1 << 16) | this.h0) >>> 0;
  }
}
