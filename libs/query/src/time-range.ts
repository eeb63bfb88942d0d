import { QueryRequestError } from './query-errors.js';

/** Points per series when a request does not say (REST and Infinity calls). */
export const DEFAULT_MAX_DATA_POINTS = 1000;

/** An inclusive time range in epoch milliseconds. */
export interface TimeWindow {
  readonly from: number;
  readonly to: number;
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const RELATIVE = /^now(?:\s*-\s*(\d+)(ms|s|m|h|d|w))?$/;
const EPOCH = /^-?\d+$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

/**
 * A point in time from a request: epoch milliseconds (number or digits), an ISO 8601 time
 * (`2024-05-01T10:00:00.000Z`, what Grafana sends in `range`), or Grafana's relative form
 * `now` / `now-<n><unit>` (units ms, s, m, h, d, w).
 */
export function parseInstant(value: unknown, what: string, now: number = Date.now()): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
  } else if (typeof value === 'string') {
    const text = value.trim();
    if (EPOCH.test(text)) return Number(text);
    const relative = RELATIVE.exec(text);
    if (relative) return relative[1] === undefined ? now : now - Number(relative[1]) * UNIT_MS[relative[2]!]!;
    if (ISO_DATE.test(text)) {
      const ms = Date.parse(text);
      if (Number.isFinite(ms)) return ms;
    }
  }
  throw new QueryRequestError(`${what} must be epoch milliseconds, an ISO 8601 time or now[-<n><unit>] (units ms, s, m, h, d, w), got ${JSON.stringify(value)}`);
}

const absent = (value: unknown) => value === undefined || value === null || value === '';

/**
 * The range of a request: `to` defaults to now, `from` to `defaultRangeMs` before `to`.
 * `names` says what the bounds are called in the request (for messages).
 */
export function resolveWindow(
  input: { readonly from?: unknown; readonly to?: unknown },
  defaultRangeMs: number,
  now: number = Date.now(),
  names: { readonly from: string; readonly to: string } = { from: 'from', to: 'to' },
): TimeWindow {
  const to = absent(input.to) ? now : parseInstant(input.to, names.to, now);
  const from = absent(input.from) ? to - defaultRangeMs : parseInstant(input.from, names.from, now);
  if (from > to) throw new QueryRequestError(`${names.from} (${new Date(from).toISOString()}) is after ${names.to} (${new Date(to).toISOString()})`);
  return { from, to };
}

/** A positive number from a request (JSON number or query-string digits); undefined when absent. */
export function optionalPositive(value: unknown, what: string, integer: boolean): number | undefined {
  if (absent(value)) return undefined;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number))) {
    throw new QueryRequestError(`${what} must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(value)}`);
  }
  return number;
}

/**
 * The bucket width of a time series over `window`: at least `intervalMs` (Grafana's suggested
 * interval), and wide enough that the range holds at most `maxDataPoints` buckets. Buckets start
 * at `from`, so the range `[from, to]` (both inclusive, `to - from + 1` ms) needs
 * `ceil((to - from + 1) / width)` of them. Whole milliseconds, at least 1.
 */
export function bucketWidth(window: TimeWindow, intervalMs: number | undefined, maxDataPoints: number = DEFAULT_MAX_DATA_POINTS): number {
  const span = window.to - window.from + 1;
  return Math.max(1, Math.ceil(intervalMs ?? 1), Math.ceil(span / maxDataPoints));
}
