import { Field } from '@sluice/sdk';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Max, Min, MinLength, ValidateNested } from 'class-validator';
import { DEFAULT_REDACTED_QUERY_PARAMS } from './url-redaction.js';

/** Longest wait the schedule accepts between two polls: 31 days. */
export const MAX_INTERVAL_MS = 31 * 24 * 3_600_000;

export const HTTP_METHODS = ['GET', 'POST'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Bounds of a random wait between polls. */
export class RandomIntervalConfig {
  @Field({ description: 'Shortest wait between the starts of two polls, in milliseconds.', example: 3000 })
  @IsInt()
  @Min(0)
  @Max(MAX_INTERVAL_MS)
  min: number;

  @Field({ description: 'Longest wait between the starts of two polls, in milliseconds (≥ min). Each wait is drawn uniformly from [min, max].', example: 8000 })
  @IsInt()
  @Min(0)
  @Max(MAX_INTERVAL_MS)
  max: number;
}

/** Bounds of a random spacing between the polls of a triggered run. */
export class RandomSpacingConfig {
  @Field({ description: 'Shortest wait between the end of one poll of a triggered run and the start of the next, in milliseconds.', example: 500 })
  @IsInt()
  @Min(0)
  @Max(MAX_INTERVAL_MS)
  min: number;

  @Field({ description: 'Longest such wait, in milliseconds (≥ min). Each wait is drawn uniformly from [min, max].', example: 2000 })
  @IsInt()
  @Min(0)
  @Max(MAX_INTERVAL_MS)
  max: number;
}

/** Polling on demand: what one trigger (a scheduled job's `trigger`) makes the source do. */
export class TriggerConfig {
  @Field({ description: 'Polls made by one trigger (each poll follows pagination as usual).', example: 3 })
  @IsInt()
  @Min(1)
  @Max(10_000)
  polls: number = 1;

  @Field({ description: 'Wait between the end of one poll of a triggered run and the start of the next, in milliseconds.', example: 1000 })
  @IsInt()
  @Min(0)
  @Max(MAX_INTERVAL_MS)
  spacingMs: number = 0;

  @Field({ description: 'A random wait between the polls of a triggered run instead of spacingMs, drawn from [min, max] milliseconds each time.', example: { min: 500, max: 2000 }, nested: () => RandomSpacingConfig })
  @IsOptional()
  @ValidateNested()
  @Type(() => RandomSpacingConfig)
  randomSpacingMs?: RandomSpacingConfig;
}

/** How failed requests are retried. */
export class RetryConfig {
  @Field({
    description:
      'Attempts per request, the first one included (1 = never retry). Only 5xx, 429, network errors and timeouts are retried; once attempts run out the poll emits a failure record (dead-lettered) naming the URL and the last error.',
    example: 4,
  })
  @IsInt()
  @Min(1)
  @Max(20)
  maxAttempts: number = 4;

  @Field({ description: 'Backoff before the first retry, in milliseconds; it doubles with every further attempt (with jitter: each wait is drawn from [half, all] of it).', example: 500 })
  @IsInt()
  @Min(0)
  @Max(600_000)
  initialBackoffMs: number = 500;

  @Field({ description: 'Upper bound of the exponential backoff, in milliseconds.', example: 30_000 })
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  maxBackoffMs: number = 30_000;

  @Field({
    description:
      'Longest `Retry-After` (429/5xx answers) honoured by waiting inside a poll, in milliseconds. A longer one ends the poll with a failure record instead, and the next poll is not made before the time the server asked for.',
    example: 60_000,
  })
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  maxRetryAfterMs: number = 60_000;
}

export class HttpSourceConfig {
  @Field({
    description:
      'The URL to poll (http or https), a template: {{randomInt MIN MAX}}, {{now}} ({{now ms}}, {{now s}}), {{env NAME}}, {{page}} and {{cursor}} are filled in for every request and percent-encoded; \\{{ is a literal "{{". See the plugin README for the grammar.',
    example: 'https://pokeapi.co/api/v2/pokemon/{{randomInt 1 1025}}',
  })
  @IsString()
  @MinLength(1)
  url: string;

  @Field({ description: 'HTTP method: GET, or POST for APIs queried with a request body.', example: 'POST' })
  @IsIn([...HTTP_METHODS])
  method: HttpMethod = 'GET';

  @Field({
    description:
      'POST only: the request body. An object or array is sent as JSON (Content-Type application/json unless a header says otherwise); its strings are templates, and a string that is exactly one placeholder keeps the value type ({{randomInt 1 9}} sends a number). A string is sent as it is, after filling in its placeholders. Not set (the default) = no body.',
    example: { query: 'recent', since: '{{now}}', page: '{{page}}' },
  })
  @IsOptional()
  body?: unknown;

  @Field({
    description:
      'Request headers: name → value (a template; {{env NAME}} keeps tokens out of the config). Values are secrets: never logged nor shown. Accept defaults to application/json.',
    example: { 'X-Api-Key': '{{env POKE_API_KEY}}' },
    secret: true,
  })
  @IsObject()
  headers: Record<string, string> = {};

  @Field({ description: 'Sent as `Authorization: Bearer <token>` (a template, e.g. {{env API_TOKEN}}). A secret: never logged nor shown. Not set (the default) = no Authorization header.', example: '{{env API_TOKEN}}', secret: true })
  @IsOptional()
  @IsString()
  @MinLength(1)
  bearerToken?: string;

  @Field({ description: 'Time allowed for one attempt (connection, answer and whole body), in milliseconds. A timed-out attempt is retried like a network error.', example: 10_000 })
  @IsInt()
  @Min(1)
  @Max(600_000)
  timeoutMs: number = 10_000;

  @Field({ description: 'Schedule: milliseconds between the starts of two polls. Set exactly one of intervalMs, cron and randomIntervalMs (or none of them when `trigger` is set).', example: 5000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_INTERVAL_MS)
  intervalMs?: number;

  @Field({
    description:
      'Schedule: a cron expression (five fields "minute hour day month weekday", or six with seconds first; e.g. "*/10 * * * * *" = every 10 s, "0 2 * * *" = 02:00 daily). Set exactly one of intervalMs, cron and randomIntervalMs (or none of them when `trigger` is set).',
    example: '*/30 * * * * *',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  cron?: string;

  @Field({ description: 'With `cron`: the IANA time zone its times are read in. Not set (the default) = the local zone of the machine.', example: 'Europe/Paris' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  timeZone?: string;

  @Field({
    description: 'Schedule: a random wait between polls, drawn uniformly from [min, max] milliseconds each time (e.g. 3000–8000). Set exactly one of intervalMs, cron and randomIntervalMs (or none of them when `trigger` is set).',
    example: { min: 3000, max: 8000 },
    nested: () => RandomIntervalConfig,
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => RandomIntervalConfig)
  randomIntervalMs?: RandomIntervalConfig;

  @Field({
    description:
      'Seed (0..4294967295) of the {{randomInt}} values and of the random waits: poll n then draws the same values on every run, even after a restart. Not set (the default) = different values every run.',
    example: 7,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(4_294_967_295)
  seed?: number;

  @Field({
    description:
      'Poll when told to: a scheduled job with `trigger: { pipeline }` (or POST /api/jobs/<name>/run) starts a run of `polls` polls. Without intervalMs, cron and randomIntervalMs the source polls only when triggered; with one of them, a trigger makes an extra run besides the schedule. Not set (the default) = the source cannot be triggered.',
    example: { polls: 1 },
    nested: () => TriggerConfig,
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => TriggerConfig)
  trigger?: TriggerConfig;

  @Field({ description: 'Poll once right at start, then on the schedule. false = the first poll waits for the first scheduled time (one interval, or the next cron time). Ignored when the source only polls when triggered.', example: false })
  @IsBoolean()
  pollOnStart: boolean = true;

  @Field({
    description: 'Dotted path to the array of records in the JSON body (e.g. `results`, `data.items`; digits index arrays). Empty (the default) = the whole body is one record.',
    example: 'results',
  })
  @IsString()
  recordsPath: string = '';

  @Field({ description: 'Dotted path, inside each record, of the value that becomes its key (as a string; e.g. `login.uuid`, `id`). Not set (the default) = records have no key; a record without that value gets none.', example: 'id' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  keyPath?: string;

  @Field({
    description:
      'Pagination: dotted path in the JSON body of the next page. When the url or body uses {{cursor}}, the value is a cursor put there; otherwise it is the next URL (absolute, or relative to the current one; only followed on the same origin). null, missing or "" = last page.',
    example: 'next',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  nextPath?: string;

  @Field({ description: 'Pagination: follow the `Link: <url>; rel="next"` response header (same origin only). Used when nextPath is not set or finds nothing.', example: true })
  @IsBoolean()
  followLinkHeader: boolean = false;

  @Field({ description: 'The value of {{page}} for the first request of a poll (1, or 0 for zero-based APIs). With {{page}} and no other pagination, pages are fetched until one has no records.', example: 0 })
  @IsInt()
  @Min(0)
  firstPage: number = 1;

  @Field({ description: 'Most pages fetched per poll (pagination stops there; the next poll starts again from the first page).', example: 5 })
  @IsInt()
  @Min(1)
  @Max(10_000)
  maxPages: number = 10;

  @Field({ description: 'How failed requests are retried (attempts, backoff, Retry-After).', nested: () => RetryConfig })
  @ValidateNested()
  @Type(() => RetryConfig)
  retry: RetryConfig = new RetryConfig();

  @Field({
    description:
      'GET only: remember each URL\'s ETag and Last-Modified and send them back as If-None-Match / If-Modified-Since; a 304 Not Modified answer then yields no records. Kept in memory (the last 1000 URLs): after a restart the first poll fetches everything again.',
    example: true,
  })
  @IsBoolean()
  conditionalRequests: boolean = false;

  @Field({ description: 'Largest response body read, in bytes; a bigger one is reported as a failure record instead of being held in memory.', example: 16_777_216 })
  @IsInt()
  @Min(1)
  @Max(512 * 1024 * 1024)
  maxResponseBytes: number = 16 * 1024 * 1024;

  @Field({
    description:
      'Query parameters whose values are shown as REDACTED wherever the source shows a URL (the http.url header, logs, failure records, health). Compared case-insensitively; values from {{env}} are always hidden.',
    example: ['api_key', 'token'],
  })
  @IsArray()
  @IsString({ each: true })
  @MinLength(1, { each: true })
  redactQueryParams: string[] = [...DEFAULT_REDACTED_QUERY_PARAMS];
}
