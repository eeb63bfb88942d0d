import { QueryRequestError } from '../query-errors.js';
import { bucketWidth, optionalPositive, resolveWindow, type TimeWindow } from '../time-range.js';
import { parseAdhocFilters, type AdhocFilter } from './adhoc-filters.js';

/** The range a Grafana call covers when it sends none (/variable, /search): the last 24 hours. */
export const DEFAULT_RANGE_MS = 86_400_000;

/** One target of a /query request. */
export interface GrafanaTarget {
  /** Index in the request's `targets` (for messages). */
  readonly index: number;
  readonly target: string;
  readonly refId?: string;
  /** simpod: the target's payload (its query options). */
  readonly payload?: unknown;
  /** SimpleJSON: the panel's "Format as" (`timeserie`, the default, or `table`). */
  readonly type?: 'timeserie' | 'table';
}

/** A parsed /query request of either datasource. */
export interface GrafanaQueryRequest {
  readonly window: TimeWindow & { readonly intervalMs: number };
  readonly targets: readonly GrafanaTarget[];
  readonly adhocFilters: readonly AdhocFilter[];
}

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A request body as an object: no body at all is `{}`; anything but a JSON object is a 400. */
export function requestBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || body === '') return {};
  if (!isMapping(body)) throw new QueryRequestError('the request body must be a JSON object');
  return body;
}

/**
 * The `range` of a request (`{ from, to }`, ISO 8601 as Grafana sends them; epoch ms are accepted
 * too). Required for /query and /annotations; elsewhere the default range up to now.
 */
export function parseRange(body: Record<string, unknown>, required: boolean, defaultRangeMs: number = DEFAULT_RANGE_MS, now: number = Date.now()): TimeWindow {
  const range = body.range;
  if (range === undefined || range === null) {
    if (required) throw new QueryRequestError('range is required: { "from": <ISO 8601 time>, "to": <ISO 8601 time> }');
    return resolveWindow({}, defaultRangeMs, now);
  }
  if (!isMapping(range)) throw new QueryRequestError('range must be an object { "from": <ISO 8601 time>, "to": <ISO 8601 time> }');
  if (required) {
    for (const bound of ['from', 'to'] as const) {
      if (range[bound] === undefined || range[bound] === null || range[bound] === '') throw new QueryRequestError(`range.${bound} is required (an ISO 8601 time)`);
    }
  }
  return resolveWindow(range, defaultRangeMs, now, { from: 'range.from', to: 'range.to' });
}

/**
 * A /query body of the JSON (simpod) or SimpleJSON datasource: `range`, `intervalMs`,
 * `maxDataPoints`, `targets` and the ad hoc filters; every other field Grafana sends (`panelId`,
 * `rangeRaw`, `scopedVars`, `interval`, `requestId`, ...) is accepted and not needed. Hidden
 * targets (`hide: true`) are not run. The bucket width is `max(intervalMs, range / maxDataPoints)`.
 */
export function parseQueryRequest(rawBody: unknown, format: 'simpod' | 'simple-json', now: number = Date.now()): GrafanaQueryRequest {
  const body = requestBody(rawBody);
  const window = parseRange(body, true, DEFAULT_RANGE_MS, now);
  const intervalMs = bucketWidth(window, optionalPositive(body.intervalMs, 'intervalMs', false), optionalPositive(body.maxDataPoints, 'maxDataPoints', true));
  if (!Array.isArray(body.targets)) throw new QueryRequestError('targets is required: a list of { "target": <metric>, "refId": <id> }');
  const targets: GrafanaTarget[] = [];
  body.targets.forEach((item, index) => {
    const where = `targets[${index}]`;
    if (!isMapping(item)) throw new QueryRequestError(`${where} must be an object { "target": <metric>, "refId": <id> }`);
    if (item.hide === true) return;
    if (typeof item.target !== 'string' || item.target.trim() === '') {
      throw new QueryRequestError(`${where}.target is required: the metric to query (a named query, or <pipeline>/<dataset>)`);
    }
    const refId = typeof item.refId === 'string' ? item.refId : undefined;
    const base = { index, target: item.target.trim(), ...(refId === undefined ? {} : { refId }) };
    if (format === 'simpod') {
      targets.push({ ...base, ...(item.payload === undefined ? {} : { payload: item.payload }) });
      return;
    }
    const type = item.type ?? 'timeserie';
    if (type !== 'timeserie' && type !== 'table') throw new QueryRequestError(`${where}.type must be "timeserie" or "table", got ${JSON.stringify(item.type)}`);
    targets.push({ ...base, type });
  });
  return { window: { ...window, intervalMs }, targets, adhocFilters: parseAdhocFilters(body) };
}
