import { LRUCache } from 'lru-cache';
import type { Clock, PluginLogger } from '@sluice/sdk';
import type { RandomSource } from './random-source.js';
import type { PageRequest } from './request-plan.js';
import { backoffMs, isRetryableStatus, retryAfterMs, type RetrySettings } from './retry-policy.js';

/** How many characters of an unusable response body a failure record keeps. */
export const BODY_EXCERPT_CHARS = 500;

/** URLs whose ETag / Last-Modified are remembered for conditional requests. */
const VALIDATOR_CACHE_SIZE = 1000;

/** A waiting function: resolves after `ms`, or sooner when `signal` aborts (it never rejects). */
export type Sleeper = (ms: number, signal: AbortSignal) => Promise<void>;

/** How one page request ended, after any retries. */
export type PageOutcome =
  | {
      readonly kind: 'json';
      readonly status: number;
      /** The URL that answered (after redirects), unredacted: pagination resolves relative links against it. */
      readonly url: string;
      readonly displayUrl: string;
      readonly headers: Headers;
      readonly body: unknown;
      readonly fetchedAt: number;
    }
  /** 204 No Content, or 304 Not Modified to a conditional request: nothing to read. */
  | { readonly kind: 'empty'; readonly status: 204 | 304; readonly displayUrl: string; readonly fetchedAt: number }
  | {
      readonly kind: 'failed';
      /** Undefined when no answer came (network error, timeout). */
      readonly status?: number;
      readonly displayUrl: string;
      readonly reason: string;
      readonly bodyExcerpt?: string;
      /** The server asked (Retry-After) not to be called again before this time (epoch ms). */
      readonly retryAt?: number;
      readonly fetchedAt: number;
    }
  /** The stop signal aborted the request or a wait. */
  | { readonly kind: 'stopped' };

export interface PageFetcherSettings {
  readonly retry: RetrySettings;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly conditionalRequests: boolean;
}

export interface PageFetcherDeps {
  readonly clock: Clock;
  readonly sleep: Sleeper;
  readonly logger: PluginLogger;
}

type Attempt =
  | { readonly kind: 'response'; readonly status: number; readonly statusText: string; readonly headers: Headers; readonly url: string; readonly body: BodyRead }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'network'; readonly message: string }
  | { readonly kind: 'stopped' };

type BodyRead = { readonly text: string } | { readonly tooLarge: number };

interface Validators {
  readonly etag?: string;
  readonly lastModified?: string;
}

/**
 * Sends one page request with a per-attempt timeout, retries 5xx, 429, network errors and timeouts
 * with exponential backoff and jitter (or the server's Retry-After), and turns the answer into a
 * parsed JSON body or a reasoned failure. Failures never carry request headers or unredacted URLs.
 */
export class PageFetcher {
  private readonly validators?: LRUCache<string, Validators>;

  constructor(
    private readonly settings: PageFetcherSettings,
    private readonly deps: PageFetcherDeps,
  ) {
    if (settings.conditionalRequests) this.validators = new LRUCache({ max: VALIDATOR_CACHE_SIZE });
  }

  async fetch(request: PageRequest, signal: AbortSignal, jitter: RandomSource): Promise<PageOutcome> {
    const { retry } = this.settings;
    const { clock, logger } = this.deps;
    const conditional = this.conditionalHeaders(request);
    const failed = (reason: string, extra: { status?: number; bodyExcerpt?: string; retryAt?: number } = {}): PageOutcome => ({
      kind: 'failed',
      displayUrl: request.displayUrl,
      reason,
      fetchedAt: clock.now(),
      ...extra,
    });
    let target: URL;
    try {
      target = new URL(request.url);
    } catch {
      return failed('the URL is not valid (check the values put in the url template)');
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') return failed(`the URL uses ${target.protocol.slice(0, -1)}, not http or https`);

    for (let attempt = 1; ; attempt++) {
      const result = await this.attempt({ ...request, headers: { ...request.headers, ...conditional } }, signal);
      if (result.kind === 'stopped') return result;
      let problem: string;
      let wait: number | undefined;
      let status: number | undefined;
      let bodyExcerpt: string | undefined;
      let retryAt: number | undefined;
      if (result.kind === 'response') {
        status = result.status;
        if (status === 304 && conditional) return { kind: 'empty', status: 304, displayUrl: request.displayUrl, fetchedAt: clock.now() };
        if (status >= 200 && status <= 299) return this.decode(request, result);
        bodyExcerpt = excerptOf(result.body);
        const statusLine = `HTTP ${status}${result.statusText ? ` ${result.statusText}` : ''}`;
        if (!isRetryableStatus(status)) {
          return failed(`${statusLine} (${status >= 400 && status <= 499 ? 'client error' : 'unexpected status'}; not retried)`, { status, bodyExcerpt });
        }
        problem = statusLine;
        const asked = retryAfterMs(result.headers.get('retry-after'), clock.now());
        if (asked !== undefined) {
          retryAt = clock.now() + asked;
          if (asked > retry.maxRetryAfterMs) {
            return failed(`${statusLine}; Retry-After asks to wait ${asked} ms, longer than retry.maxRetryAfterMs (${retry.maxRetryAfterMs} ms): the next poll waits for it instead`, { status, bodyExcerpt, retryAt });
          }
          wait = asked;
        }
      } else {
        problem = result.kind === 'timeout' ? `timed out after ${this.settings.timeoutMs} ms` : `network error: ${scrub(result.message, request)}`;
      }
      if (attempt >= retry.maxAttempts) {
        return failed(`${problem} (gave up after ${attempt} ${attempt === 1 ? 'attempt' : 'attempts'})`, { status, bodyExcerpt, retryAt });
      }
      wait ??= backoffMs(attempt, retry, jitter);
      logger.warn({ url: request.displayUrl, attempt, maxAttempts: retry.maxAttempts, waitMs: wait, problem }, 'http: request failed; retrying');
      await this.deps.sleep(wait, signal);
      if (signal.aborted) return { kind: 'stopped' };
    }
  }

  /** One attempt: the answer and its whole body, within `timeoutMs`. */
  private async attempt(request: PageRequest, signal: AbortSignal): Promise<Attempt> {
    if (signal.aborted) return { kind: 'stopped' };
    const timeout = AbortSignal.timeout(this.settings.timeoutMs);
    const combined = AbortSignal.any([signal, timeout]);
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: combined,
        redirect: 'follow',
      });
      const body = await readBody(response, this.settings.maxResponseBytes);
      return { kind: 'response', status: response.status, statusText: response.statusText, headers: response.headers, url: response.url || request.url, body };
    } catch (error) {
      if (signal.aborted) return { kind: 'stopped' };
      if (timeout.aborted) return { kind: 'timeout' };
      return { kind: 'network', message: describeFetchError(error) };
    }
  }

  /** A 2xx answer: its JSON body, or a failure saying why there is none. */
  private decode(request: PageRequest, result: Attempt & { kind: 'response' }): PageOutcome {
    const fetchedAt = this.deps.clock.now();
    const base = { displayUrl: request.displayUrl, fetchedAt, status: result.status };
    if ('tooLarge' in result.body) {
      return { kind: 'failed', ...base, reason: `response body is larger than maxResponseBytes (${this.settings.maxResponseBytes} bytes; got at least ${result.body.tooLarge})` };
    }
    const text = result.body.text;
    if (result.status === 204) return { kind: 'empty', status: 204, displayUrl: request.displayUrl, fetchedAt };
    const contentType = result.headers.get('content-type') ?? 'no content-type';
    if (text.trim() === '') return { kind: 'failed', ...base, reason: `HTTP ${result.status} with an empty body (${contentType}); expected JSON` };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      return { kind: 'failed', ...base, reason: `response body is not JSON (${contentType}): ${messageOf(error) || String(error)}`, bodyExcerpt: text.slice(0, BODY_EXCERPT_CHARS) };
    }
    this.remember(request, result.headers);
    return { kind: 'json', status: result.status, url: result.url, displayUrl: request.displayUrl, headers: result.headers, body, fetchedAt };
  }

  private conditionalHeaders(request: PageRequest): Record<string, string> | undefined {
    if (!this.validators || request.method !== 'GET') return undefined;
    const known = this.validators.get(request.url);
    if (!known) return undefined;
    return { ...(known.etag ? { 'if-none-match': known.etag } : {}), ...(known.lastModified ? { 'if-modified-since': known.lastModified } : {}) };
  }

  private remember(request: PageRequest, headers: Headers): void {
    if (!this.validators || request.method !== 'GET') return;
    const etag = headers.get('etag') ?? undefined;
    const lastModified = headers.get('last-modified') ?? undefined;
    if (etag || lastModified) this.validators.set(request.url, { ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) });
    else this.validators.delete(request.url);
  }
}

/** Reads the whole body, giving up (and cancelling the stream) beyond `limit` bytes. */
async function readBody(response: Response, limit: number): Promise<BodyRead> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    return { tooLarge: declared };
  }
  if (!response.body) return { text: '' };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return { tooLarge: size };
    }
    chunks.push(value);
  }
  return { text: new TextDecoder('utf-8').decode(Buffer.concat(chunks)) };
}

function excerptOf(body: BodyRead): string | undefined {
  if ('tooLarge' in body) return undefined;
  return body.text === '' ? undefined : body.text.slice(0, BODY_EXCERPT_CHARS);
}

/**
 * undici reports `fetch failed` with the real reason (ECONNREFUSED, ENOTFOUND, ...) as the cause.
 * Duck-typed: the errors may come from another realm (a test VM), where `instanceof Error` fails.
 */
function describeFetchError(error: unknown): string {
  const message = messageOf(error);
  const cause = typeof error === 'object' && error !== null ? (error as { cause?: unknown }).cause : undefined;
  const causeMessage = messageOf(cause);
  if (causeMessage) return causeMessage;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  if (code !== undefined) return `${message} (${String(code)})`;
  return message || String(error);
}

function messageOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '';
  const { message } = error as { message?: unknown };
  return typeof message === 'string' ? message : '';
}

/** Error texts must not leak the unredacted URL. */
function scrub(message: string, request: PageRequest): string {
  return message.split(request.url).join(request.displayUrl);
}
