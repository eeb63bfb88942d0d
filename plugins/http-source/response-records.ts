import type { SourcePosition, SourceRecord } from '@sluice/sdk';
import { valueAt, type JsonPath } from './json-path.js';

/** The single lane of the http source; its offset is the poll sequence number (0-based). */
export const POLL_LANE = 'polls';
/** Header: the URL that was requested, secrets redacted. */
export const URL_HEADER = 'http.url';
/** Header: the HTTP status of the answer (absent when none came: network error, timeout). */
export const STATUS_HEADER = 'http.status';
/** Header: when the answer arrived, ISO 8601 UTC. */
export const FETCHED_AT_HEADER = 'http.fetched_at';

/** The record values in a parsed body: the array at `recordsPath`, or the whole body when the path is empty. */
export function recordValues(body: unknown, recordsPath: JsonPath): { values: unknown[] } | { problem: string } {
  if (recordsPath.length === 0) return { values: [body] };
  const found = valueAt(body, recordsPath);
  const where = `recordsPath "${recordsPath.join('.')}"`;
  if (found === undefined) return { problem: `the response has nothing at ${where}` };
  if (!Array.isArray(found)) return { problem: `${where} holds ${found === null ? 'null' : typeof found}, not an array of records` };
  return { values: found };
}

/** The key of a record value: the value at `keyPath` as a string (JSON for non-strings), null when absent. */
export function keyOf(value: unknown, keyPath: JsonPath | undefined): string | null {
  if (keyPath === undefined) return null;
  const key = valueAt(value, keyPath);
  if (key === undefined || key === null) return null;
  return typeof key === 'string' ? key : JSON.stringify(key);
}

/** What every record of one page shares. */
export interface PageContext {
  readonly position: SourcePosition;
  readonly displayUrl: string;
  readonly status?: number;
  readonly fetchedAt: number;
}

function headersOf(page: PageContext): Record<string, string> {
  return {
    [URL_HEADER]: page.displayUrl,
    ...(page.status === undefined ? {} : { [STATUS_HEADER]: String(page.status) }),
    [FETCHED_AT_HEADER]: new Date(page.fetchedAt).toISOString(),
  };
}

/** A record of a page. */
export function pageRecord(page: PageContext, value: unknown, keyPath: JsonPath | undefined): SourceRecord {
  return { value, key: keyOf(value, keyPath), headers: headersOf(page), timestamp: page.fetchedAt, position: page.position };
}

/** What a failure record holds as its value (the dead-letter destination shows it). */
export interface PageFailureValue {
  readonly method: string;
  readonly url: string;
  readonly status?: number;
  readonly error: string;
  /** The start of the body the server sent, when it helps to see it (an error page, broken JSON). */
  readonly body?: string;
}

/** A page that yielded no records but a reason: the runtime dead-letters it and commits its position. */
export function pageFailure(page: PageContext, method: string, reason: string, bodyExcerpt?: string): SourceRecord {
  const value: PageFailureValue = {
    method,
    url: page.displayUrl,
    ...(page.status === undefined ? {} : { status: page.status }),
    error: reason,
    ...(bodyExcerpt === undefined ? {} : { body: bodyExcerpt }),
  };
  return { value, key: null, headers: headersOf(page), timestamp: page.fetchedAt, position: page.position, failure: `${method} ${page.displayUrl}: ${reason}` };
}
