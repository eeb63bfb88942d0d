import {
  sleep,
  type Checkpoint,
  type Clock,
  type HealthReport,
  type PluginContext,
  type Source,
  type SourceRecord,
  type SourceStartContext,
  type TriggerableSource,
  type TriggerResult,
} from '@sluice/sdk';
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

/** A run started by a trigger: its polls so far, what they yielded, and the promise waiting for it. */
interface TriggeredRun {
  /** Polls the run makes (`trigger.polls`). */
  readonly polls: number;
  /** Polls made (returned by read) so far. */
  done: number;
  records: number;
  requests: number;
  /** When its next poll is due (epoch ms). */
  nextAt: number;
  readonly startedAt: number;
  resolve(result: TriggerResult): void;
  reject(error: Error): void;
}

/** A signal aborted when either of two is; `dispose` detaches it from them. */
function eitherSignal(a: AbortSignal, b: AbortSignal): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (a.aborted || b.aborted) controller.abort();
  a.addEventListener('abort', abort, { once: true });
  b.addEventListener('abort', abort, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      a.removeEventListener('abort', abort);
      b.removeEventListener('abort', abort);
    },
  };
}

/** What a trigger's abort rejects with: the signal's own reason when it is an error. */
function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('http: the triggered run was aborted');
}

/**
 * Polls an HTTP JSON API on a schedule (fixed interval, cron, or random interval) and/or when
 * triggered (see {@link TriggerableHttpSource}), and turns each answer into records: the array at
 * `recordsPath` (or the whole body), keyed by `keyPath`, following pagination up to `maxPages`.
 * Errors become failure records (dead-lettered) rather than stopping the pipeline: a 4xx at once,
 * 5xx/429/network errors/timeouts after the retries.
 *
 * Positions: one lane, `polls`, whose offset is the poll sequence number; every record of a poll
 * carries it. An HTTP API cannot be replayed, so a checkpoint only continues the numbering: after a
 * restart the source polls again (poll n+1 after committed poll n); it cannot re-fetch what an
 * unacknowledged poll returned.
 */
export class HttpSource implements Source {
  private readonly plan: RequestPlan;
  /** Undefined when the source only polls when triggered. */
  private readonly schedule?: PollSchedule;
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
  /** Time of the next scheduled poll (Infinity without a schedule). */
  private nextPollAt = 0;
  /** The triggered run under way, until its last poll's records were handed out. */
  private run?: TriggeredRun;
  private triggeredRuns = 0;
  /** Wakes a read() that waits (a trigger arrived or was cancelled). */
  private wake?: () => void;
  /** Set by stop(), cleared by start(): triggers are refused in between (a trigger before the first start waits for it). */
  private stopped = false;
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
    const scheduled = config.intervalMs !== undefined || config.cron !== undefined || config.randomIntervalMs !== undefined;
    this.schedule = scheduled || config.trigger === undefined ? scheduleOf(config) : undefined;
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
    this.nextPollAt = !this.schedule ? Infinity : this.config.pollOnStart ? now : this.schedule.next(now, this.randomFor(this.sequence).schedule);
    this.stopped = false;
    this.context.logger.info(
      { schedule: this.scheduleDescription(), firstPoll: this.sequence, ...(this.schedule ? { nextPollAt: new Date(this.nextPollAt).toISOString() } : {}) },
      'http: polling',
    );
  }

  /**
   * Waits for the next scheduled poll or the next poll of a triggered run (honouring `signal`),
   * polls, and returns the poll's records ([] when stopped, or when a trigger woke the wait).
   */
  async read(signal: AbortSignal): Promise<SourceRecord[] | null> {
    // The runtime calls read again once it took the previous records: a finished run is handed out.
    this.settleFinishedRun();
    const run = this.run;
    const woken = await this.waitUntil(Math.min(this.nextPollAt, run ? run.nextAt : Infinity), signal);
    if (signal.aborted || woken) return [];
    if (run && this.run === run && run.nextAt <= this.clock.now()) return this.triggeredPoll(run, signal);
    return this.scheduledPoll(signal);
  }

  async stop(): Promise<void> {
    // Nothing else to release: each request ends with its poll (the stop signal aborts one in flight).
    this.stopped = true;
    const run = this.run;
    this.run = undefined;
    if (!run) return;
    if (run.done === run.polls) run.resolve(this.resultOf(run));
    else run.reject(new Error(`http: the source stopped before the triggered run ended (${run.done} of ${run.polls} polls made)`));
  }

  /**
   * Starts a triggered run: `trigger.polls` polls, spaced by `trigger.spacingMs` (or a random
   * spacing); resolves once read() handed out the records of its last poll. Only offered by
   * {@link TriggerableHttpSource} (a source configured with `trigger`).
   */
  protected startTriggeredRun(signal: AbortSignal): Promise<TriggerResult> {
    const settings = this.config.trigger;
    if (!settings) return Promise.reject(new Error('http: this source has no `trigger` config, so it cannot be triggered'));
    if (signal.aborted) return Promise.reject(abortError(signal));
    if (this.stopped) return Promise.reject(new Error('http: the source is stopped (or restarting after a crash); trigger it again later'));
    const current = this.run;
    if (current) {
      return Promise.reject(
        new Error(`http: a triggered run is already under way (started at ${new Date(current.startedAt).toISOString()}, ${current.done} of ${current.polls} polls made); try again once it ended`),
      );
    }
    return new Promise<TriggerResult>((resolve, reject) => {
      const onAbort = () => {
        if (this.run !== run) return;
        this.run = undefined;
        run.reject(abortError(signal));
        this.wake?.();
      };
      const now = this.clock.now();
      const run: TriggeredRun = {
        polls: settings.polls,
        done: 0,
        records: 0,
        requests: 0,
        nextAt: now,
        startedAt: now,
        resolve: (result) => {
          signal.removeEventListener('abort', onAbort);
          resolve(result);
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.run = run;
      this.triggeredRuns++;
      this.context.logger.info({ polls: run.polls }, 'http: triggered run started');
      this.wake?.();
    });
  }

  private resultOf(run: TriggeredRun): TriggerResult {
    return { records: run.records, details: { polls: run.done, requests: run.requests } };
  }

  /** Resolves the run whose last poll's records the previous read() returned. */
  private settleFinishedRun(): void {
    const run = this.run;
    if (!run || run.done < run.polls) return;
    this.run = undefined;
    run.resolve(this.resultOf(run));
  }

  private async scheduledPoll(signal: AbortSignal): Promise<SourceRecord[]> {
    const schedule = this.schedule;
    if (!schedule || this.nextPollAt > this.clock.now()) return [];
    const sequence = this.sequence;
    const startedAt = this.clock.now();
    const outcome = await this.poll(sequence, startedAt, this.randomFor(sequence), signal);
    if (outcome === 'stopped') return [];
    this.sequence = sequence + 1;
    // A poll that overran the next time is followed at once by one catch-up poll; no burst of the missed ones.
    this.nextPollAt = Math.max(schedule.next(startedAt, this.randomFor(this.sequence).schedule), outcome.retryAt ?? 0);
    this.note(startedAt, outcome);
    return outcome.records;
  }

  /** One poll of a triggered run: aborted by the stop signal or the trigger's own. */
  private async triggeredPoll(run: TriggeredRun, signal: AbortSignal): Promise<SourceRecord[]> {
    const sequence = this.sequence;
    const startedAt = this.clock.now();
    const random = this.randomFor(sequence);
    // A trigger aborted mid-poll (its abort handler cleared this.run, then wakes) stops the poll.
    const cancelled = new AbortController();
    this.wake = () => {
      if (this.run !== run) cancelled.abort();
    };
    const either = eitherSignal(signal, cancelled.signal);
    let outcome: PollOutcome | 'stopped';
    try {
      outcome = await this.poll(sequence, startedAt, random, either.signal);
    } finally {
      either.dispose();
      this.wake = undefined;
    }
    if (outcome === 'stopped') return [];
    this.sequence = sequence + 1;
    this.note(startedAt, outcome);
    if (outcome.retryAt !== undefined && this.schedule) this.nextPollAt = Math.max(this.nextPollAt, outcome.retryAt);
    if (this.run === run) {
      run.done++;
      run.records += outcome.records.length;
      run.requests += outcome.pages;
      if (run.done < run.polls) run.nextAt = Math.max(this.clock.now() + this.spacing(random), outcome.retryAt ?? 0);
    }
    return outcome.records;
  }

  /** The wait between two polls of a triggered run. */
  private spacing(random: PollRandom): number {
    const settings = this.config.trigger!;
    const bounds = settings.randomSpacingMs;
    return bounds ? random.schedule.int(bounds.min, bounds.max) : settings.spacingMs;
  }

  private scheduleDescription(): string {
    if (!this.schedule) return 'when triggered';
    return this.config.trigger ? `${this.schedule.description}, and when triggered` : this.schedule.description;
  }

  health(): HealthReport {
    return {
      status: this.consecutiveFailures > 0 ? 'degraded' : 'up',
      details: {
        url: this.lastUrl ?? this.plan.displayTemplateUrl(new PollScope(this.clock.now(), this.config.firstPage, { float: () => 0, int: (min) => min }, this.env)),
        schedule: this.scheduleDescription(),
        polls: this.polls,
        records: this.recordsRead,
        nextPoll: this.sequence,
        ...(this.schedule ? { nextPollAt: new Date(this.nextPollAt).toISOString() } : {}),
        ...(this.config.trigger ? { triggeredRuns: this.triggeredRuns, triggeredRunUnderWay: this.run !== undefined } : {}),
        ...(this.lastPollAt === undefined ? {} : { lastPollAt: new Date(this.lastPollAt).toISOString() }),
        ...(this.lastOutcome === undefined ? {} : { lastOutcome: this.lastOutcome }),
        ...(this.lastStatus === undefined ? {} : { lastStatus: this.lastStatus }),
        consecutiveFailures: this.consecutiveFailures,
        ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      },
    };
  }

  /**
   * Waits until `at` (Infinity: until woken), or until `signal` aborts, or until a trigger wakes
   * the wait up; returns whether it was woken up.
   */
  private async waitUntil(at: number, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return false;
    const woken = new AbortController();
    const either = eitherSignal(signal, woken.signal);
    this.wake = () => woken.abort();
    try {
      if (at === Infinity) {
        if (!either.signal.aborted) await new Promise<void>((resolve) => either.signal.addEventListener('abort', () => resolve(), { once: true }));
      } else {
        for (let wait = at - this.clock.now(); wait > 0 && !either.signal.aborted; wait = at - this.clock.now()) {
          await this.sleep(Math.min(wait, MAX_TIMER_MS), either.signal);
        }
      }
    } finally {
      either.dispose();
      this.wake = undefined;
    }
    return woken.signal.aborted && !signal.aborted;
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

/**
 * The http source configured with `trigger`: a {@link TriggerableSource} that a scheduled job (or
 * POST /api/jobs/<name>/run) can tell to poll. Without `trigger` the source is a plain
 * {@link HttpSource}, which has no `trigger` method at all.
 */
export class TriggerableHttpSource extends HttpSource implements TriggerableSource {
  trigger(signal: AbortSignal): Promise<TriggerResult> {
    return this.startTriggeredRun(signal);
  }
}

/** The source a config asks for: triggerable when it has `trigger`, else scheduled only. */
export function createHttpSource(config: HttpSourceConfig, context: PluginContext, options: HttpSourceOptions = {}): HttpSource {
  return config.trigger ? new TriggerableHttpSource(config, context, options) : new HttpSource(config, context, options);
}
