/**
 * Fast builders for the ASCII strings the generator makes by the million (uuids, random strings,
 * ISO timestamps): they write character codes into a reusable buffer and cut one flat string out of
 * it, which is several times faster than concatenating characters.
 */
import type { CounterRandom } from './counter-random.js';

const HEX_CODES = Buffer.from('0123456789abcdef', 'latin1');
const ALPHANUMERIC_CODES = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'latin1');
const DASH = 45;

/** The characters random strings are made of: A-Z, a-z, 0-9. */
export const ALPHANUMERIC = ALPHANUMERIC_CODES.toString('latin1');

/** Makes random RFC 4122 version 4 uuids (lower-case hex). */
export class UuidBuilder {
  private readonly buffer = Buffer.alloc(36);

  constructor() {
    for (const at of [8, 13, 18, 23]) this.buffer[at] = DASH;
  }

  next(random: CounterRandom): string {
    const w0 = random.nextUint32();
    const w1 = (random.nextUint32() & 0xffff0fff) | 0x00004000; // version 4 (byte 6)
    const w2 = (random.nextUint32() & 0x3fffffff) | 0x80000000; // RFC 4122 variant (byte 8)
    const w3 = random.nextUint32();
    const b = this.buffer;
    writeHex(b, 0, w0, 8);
    writeHex(b, 9, w1 >>> 16, 4);
    writeHex(b, 14, w1, 4);
    writeHex(b, 19, w2 >>> 16, 4);
    writeHex(b, 24, w2, 4);
    writeHex(b, 28, w3, 8);
    return b.toString('latin1', 0, 36);
  }
}

/** Writes the low `digits` hex digits of `word`, most significant first, at `at`. */
function writeHex(buffer: Buffer, at: number, word: number, digits: number): void {
  for (let i = digits - 1; i >= 0; i--) {
    buffer[at + i] = HEX_CODES[word & 15];
    word >>>= 4;
  }
}

/** Makes random alphanumeric strings of one length. */
export class RandomStringBuilder {
  private readonly buffer: Buffer;

  constructor(private readonly length: number) {
    this.buffer = Buffer.alloc(Math.max(1, length));
  }

  next(random: CounterRandom): string {
    const b = this.buffer;
    for (let i = 0; i < this.length; i++) b[i] = ALPHANUMERIC_CODES[random.nextUint32() % 62];
    return b.toString('latin1', 0, this.length);
  }
}

const DAY_MS = 86_400_000;
/** 9999-12-31T23:59:59.999Z: the last instant with a 4-digit year (toISOString widens the year after it). */
const LAST_FOUR_DIGIT_YEAR_MS = 253_402_300_799_999;

/** Formats epoch milliseconds exactly like `Date.prototype.toISOString`, reusing the date part within a day. */
export class IsoTimestampFormatter {
  private readonly buffer = Buffer.alloc(24);
  private day = Number.NaN;

  format(ms: number): string {
    if (!(ms >= 0 && ms <= LAST_FOUR_DIGIT_YEAR_MS) || !Number.isInteger(ms)) return new Date(ms).toISOString();
    const day = Math.floor(ms / DAY_MS);
    const b = this.buffer;
    if (day !== this.day) {
      b.write(new Date(day * DAY_MS).toISOString(), 0, 'latin1');
      this.day = day;
    }
    let rest = ms - day * DAY_MS;
    const hours = Math.floor(rest / 3_600_000);
    rest -= hours * 3_600_000;
    const minutes = Math.floor(rest / 60_000);
    rest -= minutes * 60_000;
    const seconds = Math.floor(rest / 1000);
    const millis = rest - seconds * 1000;
    b[11] = 48 + Math.floor(hours / 10);
    b[12] = 48 + (hours % 10);
    b[14] = 48 + Math.floor(minutes / 10);
    b[15] = 48 + (minutes % 10);
    b[17] = 48 + Math.floor(seconds / 10);
    b[18] = 48 + (seconds % 10);
    b[20] = 48 + Math.floor(millis / 100);
    b[21] = 48 + (Math.floor(millis / 10) % 10);
    b[22] = 48 + (millis % 10);
    return b.toString('latin1', 0, 24);
  }
}
