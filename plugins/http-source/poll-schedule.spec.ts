import { describe, expect, it } from '@jest/globals';
import { CronSchedule, cronProblem, FixedInterval, RandomInterval, scheduleOf } from './poll-schedule.js';
import { mathRandom, pollRandom, type RandomSource } from './random-source.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

/** A random source stuck at one float (0 → lowest, just under 1 → highest). */
function fixed(float: number): RandomSource {
  return { float: () => float, int: (min, max) => min + Math.floor(float * (max - min + 1)) };
}

describe('fixed interval', () => {
  it('polls intervalMs after the start of the previous poll', () => {
    const schedule = new FixedInterval(5000);
    expect(schedule.next(1_000_000)).toBe(1_005_000);
    expect(schedule.description).toBe('every 5000 ms');
  });
});

describe('random interval', () => {
  it('reaches both bounds and never leaves [min, max] (injected random)', () => {
    const schedule = new RandomInterval(3000, 8000);
    expect(schedule.next(0, fixed(0))).toBe(3000);
    expect(schedule.next(0, fixed(0.9999999999))).toBe(8000);
    expect(schedule.next(100, fixed(0.5))).toBe(100 + 5500);
  });

  it('stays within [min, max] over many seeded draws, and spreads over the range', () => {
    const schedule = new RandomInterval(3000, 8000);
    const waits: number[] = [];
    for (let poll = 0; poll < 2000; poll++) waits.push(schedule.next(1_000, pollRandom(11, poll).schedule) - 1_000);
    expect(waits.every((w) => Number.isInteger(w) && w >= 3000 && w <= 8000)).toBe(true);
    expect(Math.min(...waits)).toBeLessThan(3100);
    expect(Math.max(...waits)).toBeGreaterThan(7900);
  });

  it('draws the same waits for the same seed and poll numbers', () => {
    const schedule = new RandomInterval(3000, 8000);
    const run = (seed: number) => Array.from({ length: 20 }, (_, poll) => schedule.next(0, pollRandom(seed, poll).schedule));
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it('accepts min = max and rejects min > max', () => {
    expect(new RandomInterval(250, 250).next(0, mathRandom)).toBe(250);
    expect(() => new RandomInterval(9, 1)).toThrow('0 ≤ min ≤ max');
  });
});

describe('cron schedule', () => {
  it('computes the next fire time strictly after the given time (six fields, seconds first)', () => {
    const schedule = new CronSchedule('*/5 * * * * *', 'UTC');
    expect(iso(schedule.next(at('2025-01-01T00:00:02.000Z')))).toBe('2025-01-01T00:00:05.000Z');
    expect(iso(schedule.next(at('2025-01-01T00:00:05.000Z')))).toBe('2025-01-01T00:00:10.000Z');
    expect(iso(schedule.next(at('2025-01-01T00:00:05.300Z')))).toBe('2025-01-01T00:00:10.000Z');
    expect(iso(schedule.next(at('2025-12-31T23:59:58.000Z')))).toBe('2026-01-01T00:00:00.000Z');
  });

  it('reads five-field expressions in the configured time zone', () => {
    const schedule = new CronSchedule('0 2 * * *', 'Europe/Paris');
    // 02:00 in Paris is 00:00 UTC in summer (UTC+2) and 01:00 UTC in winter (UTC+1).
    expect(iso(schedule.next(at('2025-06-01T12:00:00Z')))).toBe('2025-06-02T00:00:00.000Z');
    expect(iso(schedule.next(at('2025-01-10T12:00:00Z')))).toBe('2025-01-11T01:00:00.000Z');
    expect(schedule.description).toBe('cron "0 2 * * *" (Europe/Paris)');
  });

  it('handles weekdays and ranges', () => {
    const schedule = new CronSchedule('30 9-17/4 * * mon-fri', 'UTC');
    // Friday 2025-06-06 18:00 → next is Monday 09:30; then 13:30, 17:30.
    const first = schedule.next(at('2025-06-06T18:00:00Z'));
    expect(iso(first)).toBe('2025-06-09T09:30:00.000Z');
    expect(iso(schedule.next(first))).toBe('2025-06-09T13:30:00.000Z');
  });

  it('explains invalid expressions and time zones', () => {
    expect(cronProblem('*/5 * * * * *')).toBeUndefined();
    expect(cronProblem('@hourly', 'UTC')).toBeUndefined();
    expect(cronProblem('61 * * * *')).toContain('is not a valid cron expression');
    expect(cronProblem('every minute')).toContain('is not a valid cron expression');
    expect(cronProblem('0 2 * * *', 'Mars/Olympus')).toContain('"Mars/Olympus" is not a time zone');
    // Valid syntax, but no date matches: the schedule would throw when the source starts.
    expect(cronProblem('0 0 30 2 *')).toBe('"0 0 30 2 *" never fires: no date matches it (e.g. day 31 of a 30-day month, or February 30)');
    expect(cronProblem('0 0 31 4 *', 'Europe/Paris')).toContain('never fires');
    expect(cronProblem('0 0 29 2 *', 'UTC')).toBeUndefined();
  });
});

describe('scheduleOf', () => {
  it('builds the schedule the config names', () => {
    expect(scheduleOf({ intervalMs: 10 })).toBeInstanceOf(FixedInterval);
    expect(scheduleOf({ cron: '* * * * *' })).toBeInstanceOf(CronSchedule);
    expect(scheduleOf({ randomIntervalMs: { min: 1, max: 2 } })).toBeInstanceOf(RandomInterval);
    expect(() => scheduleOf({})).toThrow('no schedule');
  });
});
