import { CronTime } from 'cron';
import type { RandomSource } from './random-source.js';

/** When the http source polls. Times are epoch milliseconds (wall clock). */
export interface PollSchedule {
  /** The time of the poll that follows a poll started at `after`. */
  next(after: number, random: RandomSource): number;
  /** One line for logs and health, e.g. `every 5000 ms`. */
  readonly description: string;
}

/** A poll every `intervalMs` after the start of the previous one. */
export class FixedInterval implements PollSchedule {
  readonly description: string;

  constructor(private readonly intervalMs: number) {
    this.description = `every ${intervalMs} ms`;
  }

  next(after: number): number {
    return after + this.intervalMs;
  }
}

/** A poll a random whole number of milliseconds in [min, max] (both inclusive) after the previous one. */
export class RandomInterval implements PollSchedule {
  readonly description: string;

  constructor(
    private readonly min: number,
    private readonly max: number,
  ) {
    if (!(Number.isSafeInteger(min) && Number.isSafeInteger(max) && min >= 0 && min <= max)) throw new Error(`random interval needs integers 0 ≤ min ≤ max, got [${min}, ${max}]`);
    this.description = `every ${min}–${max} ms (random)`;
  }

  next(after: number, random: RandomSource): number {
    return after + random.int(this.min, this.max);
  }
}

/**
 * Polls at the fire times of a cron expression (the `cron` package's syntax: five fields, or six
 * with seconds first; ranges, steps, lists, month and day names, `@hourly`-style aliases), in
 * `timeZone` (an IANA name) or the machine's local zone.
 */
export class CronSchedule implements PollSchedule {
  readonly description: string;
  private readonly time: CronTime;

  constructor(
    expression: string,
    private readonly timeZone?: string,
  ) {
    this.time = timeZone === undefined ? new CronTime(expression) : new CronTime(expression, timeZone);
    this.description = `cron "${expression}"${timeZone ? ` (${timeZone})` : ''}`;
  }

  /** The first fire time strictly after `after`. */
  next(after: number): number {
    // The zone must be passed here: CronTime applies its own only in sendAt().
    return this.time.getNextDateFrom(new Date(after), this.timeZone).toMillis();
  }
}

/** Why `expression` (in `timeZone`) is not a usable cron schedule, or undefined when it is. */
export function cronProblem(expression: string, timeZone?: string): string | undefined {
  const check = CronTime.validateCronExpression(expression);
  if (!check.valid) return `"${expression}" is not a valid cron expression: ${check.error?.message ?? 'unparsable'} (five fields "min hour day month weekday", or six with seconds first)`;
  let time: CronTime;
  try {
    time = timeZone === undefined ? new CronTime(expression) : new CronTime(expression, timeZone);
  } catch (error) {
    return `"${timeZone}" is not a time zone the cron schedule knows (${error instanceof Error ? error.message : String(error)}); use an IANA name such as Europe/Paris or UTC`;
  }
  // A valid expression may match no date at all ("0 0 30 2 *"): next() would throw at every start.
  try {
    time.sendAt();
  } catch {
    return `"${expression}" never fires: no date matches it (e.g. day 31 of a 30-day month, or February 30)`;
  }
  return undefined;
}

/** The schedule a config describes: exactly one of `intervalMs`, `cron` and `randomIntervalMs` is set (checked by validation). */
export function scheduleOf(config: { intervalMs?: number; cron?: string; timeZone?: string; randomIntervalMs?: { min: number; max: number } }): PollSchedule {
  if (config.cron !== undefined) return new CronSchedule(config.cron, config.timeZone);
  if (config.randomIntervalMs !== undefined) return new RandomInterval(config.randomIntervalMs.min, config.randomIntervalMs.max);
  if (config.intervalMs !== undefined) return new FixedInterval(config.intervalMs);
  throw new Error('http: no schedule: set one of intervalMs, cron or randomIntervalMs');
}
