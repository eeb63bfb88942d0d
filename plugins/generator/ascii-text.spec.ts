import { describe, expect, it } from '@jest/globals';
import { IsoTimestampFormatter, RandomStringBuilder, UuidBuilder } from './ascii-text.js';
import { CounterRandom } from './counter-random.js';

describe('IsoTimestampFormatter', () => {
  it('formats exactly like Date.prototype.toISOString', () => {
    const formatter = new IsoTimestampFormatter();
    const random = new CounterRandom();
    random.reset(5, 5);
    const samples = [0, 1, 999, 86_399_999, 86_400_000, 951_782_400_000, 1_709_251_199_999, 253_402_300_799_999];
    for (let i = 0; i < 3000; i++) samples.push(random.nextInt(0, 253_402_300_799_999));
    // Consecutive instants around a day boundary exercise the cached date part.
    for (let ms = 1_735_689_599_000; ms < 1_735_689_601_000; ms += 7) samples.push(ms);
    for (const ms of samples) expect(formatter.format(ms)).toBe(new Date(ms).toISOString());
  });

  it('falls back to toISOString outside four-digit years and for fractional milliseconds', () => {
    const formatter = new IsoTimestampFormatter();
    for (const ms of [-1, -86_400_001, 253_402_300_800_000, 1.5]) expect(formatter.format(ms)).toBe(new Date(ms).toISOString());
  });
});

describe('UuidBuilder and RandomStringBuilder', () => {
  it('write independent strings into their shared buffer', () => {
    const random = new CounterRandom();
    random.reset(1, 1);
    const uuids = new UuidBuilder();
    const a = uuids.next(random);
    const b = uuids.next(random);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const strings = new RandomStringBuilder(5);
    const s1 = strings.next(random);
    const s2 = strings.next(random);
    expect(s1).toMatch(/^[A-Za-z0-9]{5}$/);
    expect(s1).not.toBe(s2);
    expect(new RandomStringBuilder(0).next(random)).toBe('');
  });
});
