import { sleep, type Checkpoint, type Clock, type HealthReport, type PluginContext, type Source, type SourceRecord, type SourceStartContext } from '@sluice/sdk';
import type { HttpSourceConfig } from './http-source.config.js';
import { parsePath, valueAt, type JsonPath } from './json-path.js';
import { nextLink } from './link-header.js';
import { PageFetcher, type PageOutcome, type Sleeper } from './page-fetcher.js';
import { scheduleOf, type PollSchedule } from './poll-schedule.js';
import { pollRandom, type PollRandom } from './random-source.js';
import { PollScope, RequestPlan } from './request-plan.js';
import { pageFailure, pageRecord, POLL_LANE, recordValues, type PageContext } from './response-records.js';

/** The wall clock: schedules (cron above all) and record times are epoch milliseconds. */
export const wallClock: Clock = { now: () => Date.now() };

/** The longest single timer: setTimeout fires at once beyond 2^31-1 ms, so longer waits are cut into pieces. */
const MAX_TIMER_MS = 2_147_483_647;

/** What tests (and only they) replace: time, waiting, the environment and the random streams. */
export interface HttpSourceOptions {
  readonly clock?: Clock;
  readonly sleep?: Sleeper;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly random?: (seed: number | undefined, sequence: number) => PollRandom;
}

/** Where a run starts: the poll after the committed one, or poll 0. */
export function firstPoll(checkpoint: Checkpoint): number {
  const committed = checkpoint[POLL_LANE];
  if (committed === undefined) return 0;
  if (typeof committed !== 'number' || !Number.isSafeInteger(committed) || committed < 0) {
    throw new Error(`http: checkpoint lane "${POLL_LANE}" holds ${JSON.stringify(committed)}, expected a poll sequence number (integer ≥ 0)`);
  }
  return committed + 1;
}

type PollOutcome = { readonly records: SourceRecord[]; readonly failed: boolean; readonly status?: number; readonly error?: string; readonly retryAt?: number; readonly pages: number; readonly notModified: boolean };

/** A next page: either a URL to request, or a cursor to put in the templates. */
type NextPage = { readonly url?: string; readonly cursor?: string };

/**
 * Polls an HTTP JSON API on a schedule (fixed interval, cron, or random interval) and turns each
 * answer into records: the array at `recordsPath` (or the whole body), keyed by `keyPath`, following
 * pagination up to `maxPages`. Errors become failure records (dead-lettered) rather than stopping the
 * pipeline: a 4xx at once, 5xx/429/network errors/timeouts after the retries.
 *
 * Positions: one lane, `polls`, whose offset is the poll sequence number; every record of a poll
 * carries it. An HTTP API cannot be replayed, so a checkpoint only continues the numbering: after a
 * restart the source polls again (poll n+1 after committed poll n); it cannot re-fetch what an
 * unacknowledged poll returned.
 */
export class HttpSource implements Source {
  private readonly plan: RequestPlan;
  private readonly schedule: PollSchedule;
  private readonly fetcher: PageFetcher;
  private readonly clock: Clock;
  private readonly sleep: Sleeper;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly randomFor: (sequence: number) => PollRandom;
  private readonly recordsPath: JsonPath;
  private readonly keyPath?: JsonPath;
  private readonly nextPath?: JsonPath;
  private readonly usesCursor: boolean;
  private readonly usesPage: boolean;

  private sequence = 0;
  private nextPollAt = 0;
  private polls = 0;
  private recordsRead = 0;
  private consecutiveFailures = 0;
  private lastPollAt?: number;
  private lastStatus?: number;
  private lastOutcome?: 'ok' | 'not-modified' | 'failed';
  private lastError?: string;
  private lastUrl?: string;

  constructor(
    private readonly config: HttpSourceConfig,
    private readonly context: PluginContext,
    options: HttpSourceOptions = {},
  ) {
    this.plan = new RequestPlan(config);
    this.schedule = scheduleOf(config);
    this.clock = options.clock ?? wallClock;
    this.sleep = options.sleep ?? sleep;
    this.env = options.env ?? process.env;
    const random = options.random ?? pollRandom;
    this.randomFor = (sequence) => random(config.seed, sequence);
    this.fetcher = new PageFetcher(
      { retry: config.retry, timeoutMs: config.timeoutMs, maxResponseBytes: config.maxResponseBytes, conditionalRequests: config.conditionalRequests },
      { clock: this.clock, sleep: this.sleep, logger: context.logger },
    );
    this.recordsPath = parsePath(config.recordsPath);
    this.keyPath = config.keyPath === undefined ? undefined : parsePath(config.keyPath);
    this.nextPath = config.nextPath === undefined ? undefined : parsePath(config.nextPath);
    this.usesCursor = this.plan.uses('cursor');
    this.usesPage = this.plan.uses('page');
  }

  async start({ checkpoint }: SourceStartContext): Promise<void> {
    const missing = this.plan.envNames().filter((name) => this.env[name] === undefined);
    if (missing.length > 0) {
      throw new Error(`http: the request uses {{env ${missing[0]}}}, but ${missing.length === 1 ? 'that environment variable is' : `these environment variables are`} not set: ${missing.join(', ')}`);
    }
    this.sequence = firstPoll(checkpoint);
    const now = this.clock.now();
    this.nextPollAt = this.config.pollOnStart ? now : this.schedule.next(now, this.randomFor(this.sequence).schedule);
    this.context.logger.info({ schedule: this.schedule.description, firstPoll: this.sequence, nextPollAt: new Date(this.nextPollAt).toISOString() }, 'http: polling');
  }

  /** Waits for the next poll time (honouring `signal`), polls, and returns the poll's records ([] when stopped). */
  async read(signal: AbortSignal): Promise<SourceRecord[] | null> {
    await this.waitUntil(this.nextPollAt, signal);
    if (signal.aborted) return [];
    const sequence = this.sequence;
    const startedAt = this.clock.now();
    const outcome = await this.poll(sequence, startedAt, this.randomFor(sequence), signal);
    if (outcome === 'stopped') return [];
    this.sequence = sequence + 1;
    // A poll that overran the next time is followed at once by one catch-up poll; no burst of the missed ones.
    this.nextPollAt = Math.max(this.schedule.next(startedAt, this.randomFor(this.sequence).schedule), outcome.retryAt ?? 0);
    this.note(startedAt, outcome);
    return outcome.records;
  }

  async stop(): Promise<void> {
    // Nothing to release: each request ends with its poll (the stop signal aborts one in flight).
  }

  health(): HealthReport {
    return {
      status: this.consecutiveFailures > 0 ? 'degraded' : 'up',
      details: {
        url: this.lastUrl ?? this.plan.displayTemplateUrl(new PollScope(this.clock.now(), this.config.firstPage, { float: () => 0, int: (min) => min }, this.env)),
        schedule: this.schedule.description,
        polls: this.polls,
        records: this.recordsRead,
        nextPoll: this.sequence,
        nextPollAt: new Date(this.nextPollAt).toISOString(),
        ...(this.lastPollAt === undefined ? {} : { lastPollAt: new Date(this.lastPollAt).toISOString() }),
        ...(this.lastOutcome === undefined ? {} : { lastOutcome: this.lastOutcome }),
        ...(this.lastStatus === undefined ? {} : { lastStatus: this.lastStatus }),
        consecutiveFailures: this.consecutiveFailures,
        ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      },
    };
  }

  private async waitUntil(at: number, signal: AbortSignal): Promise<void> {
    for (let wait = at - this.clock.now(); wait > 0 && !signal.aborted; wait = at - this.clock.now()) {
      await this.sleep(Math.min(wait, MAX_TIMER_MS), signal);
    }
  }

  private note(startedAt: number, outcome: PollOutcome): void {
    this.polls++;
    this.recordsRead += outcome.records.filter((r) => r.failure === undefined).length;
    this.lastPollAt = startedAt;
    this.lastStatus = outcome.status;
    this.lastOutcome = outcome.failed ? 'failed' : outcome.notModified ? 'not-modified' : 'ok';
    if (outcome.failed) {
      this.consecutiveFailures++;
      this.lastError = outcome.error;
    } else {
      this.consecutiveFailures = 0;
      this.lastError = undefined;
    }
  }

  /** One poll: the first page, then the next ones while pagination says so, up to `maxPages`. */
  private async poll(sequence: number, startedAt: number, random: PollRandom, signal: AbortSignal): Promise<PollOutcome | 'stopped'> {
    const scope = new PollScope(startedAt, this.config.firstPage, random.template, this.env);
    const position = { lane: POLL_LANE, offset: sequence };
    const records: SourceRecord[] = [];
    const requested = new Set<string>();
    let nextUrl: string | undefined;
    for (let pages = 1; ; pages++) {
      const request = this.plan.build(scope, nextUrl);
      requested.add(normalised(request.url));
      this.lastUrl = request.displayUrl;
      const page = await this.fetcher.fetch(request, signal, random.jitter);
      if (page.kind === 'stopped') return 'stopped';
      const context: PageContext = { position, displayUrl: page.displayUrl, fetchedAt: page.fetchedAt, ...(page.status === undefined ? {} : { status: page.status }) };
      if (page.kind === 'failed') {
        this.context.logger.warn({ url: page.displayUrl, status: page.status, poll: sequence, page: pages }, `http: ${page.reason}`);
        records.push(pageFailure(context, request.method, page.reason, page.bodyExcerpt));
        return { records, failed: true, status: page.status, error: `${request.method} ${page.displayUrl}: ${page.reason}`, retryAt: page.retryAt, pages, notModified: false };
      }
      if (page.kind === 'empty') return { records, failed: false, status: page.status, pages, notModified: page.status === 304 };
      const found = recordValues(page.body, this.recordsPath);
      if ('problem' in found) {
        this.context.logger.warn({ url: page.displayUrl, status: page.status, poll: sequence, page: pages }, `http: ${found.problem}`);
        records.push(pageFailure(context, request.method, found.problem, JSON.stringify(page.body).slice(0, 500)));
        return { records, failed: true, status: page.status, error: `${request.method} ${page.displayUrl}: ${found.problem}`, pages, notModified: false };
      }
      for (const value of found.values) records.push(pageRecord(context, value, this.keyPath));
      const next = pages < this.config.maxPages ? this.nextPage(page, found.values.length, requested) : undefined;
      if (next === undefined) return { records, failed: false, status: page.status, pages, notModified: false };
      scope.page++;
      nextUrl = next.url;
      if (next.cursor !== undefined) scope.cursor = next.cursor;
    }
  }

  /** Where the page after `page` is, or undefined when it was the last (or pagination is off). */
  private nextPage(page: PageOutcome & { kind: 'json' }, recordCount: number, requested: ReadonlySet<string>): NextPage | undefined {
    if (this.nextPath) {
      const found = valueAt(page.body, this.nextPath);
      if (found !== undefined && found !== null && found !== '' && found !== false) {
        if (this.usesCursor) return { cursor: typeof found === 'string' ? found : JSON.stringify(found) };
        if (typeof found === 'string') return this.followUrl(found, page, requested, 'nextPath');
        this.context.logger.warn({ url: page.displayUrl, nextPath: this.config.nextPath }, `http: nextPath holds ${typeof found}, not a URL; pagination stops (use {{cursor}} in the url to send it as a cursor)`);
        return undefined;
      }
    }
    if (this.config.followLinkHeader) {
      const link = nextLink(page.headers.get('link'));
      if (link !== undefined) return this.followUrl(link, page, requested, 'Link header');
    }
    if (!this.nextPath && !this.config.followLinkHeader && this.usesPage && recordCount > 0) return {};
    return undefined;
  }

  /** A next-page URL, resolved against the page's URL; refused on another origin (the headers hold credentials) or when already requested. */
  private followUrl(link: string, page: PageOutcome & { kind: 'json' }, requested: ReadonlySet<string>, from: string): NextPage | undefined {
    let resolved: URL;
    try {
      resolved = new URL(link, page.url);
    } catch {
      this.context.logger.warn({ url: page.displayUrl, from }, 'http: the next-page link is not a URL; pagination stops');
      return undefined;
    }
    if (resolved.origin !== new URL(page.url).origin) {
      this.context.logger.warn({ url: page.displayUrl, next: this.plan.display(resolved.href), from }, 'http: the next page is on another origin and is not followed (the request headers may hold credentials); pagination stops');
      return undefined;
    }
    if (requested.has(resolved.href)) {
      this.context.logger.warn({ url: page.displayUrl, next: this.plan.display(resolved.href), from }, 'http: the next page was already fetched in this poll; pagination stops');
      return undefined;
    }
    return { url: resolved.href };
  }
}

/** `url` as the WHATWG parser writes it (so that it compares with resolved links), or as it is when it does not parse. */
function normalised(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}
