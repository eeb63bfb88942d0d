import type { HttpMethod, HttpSourceConfig } from './http-source.config.js';
import type { RandomSource } from './random-source.js';
import { compileJsonTemplate, jsonTemplateTexts, renderJsonTemplate, TextTemplate, type JsonTemplate, type Placeholder, type PlaceholderName, type TemplateScope } from './request-template.js';
import { REDACTED, redactUrl, secretParamSet } from './url-redaction.js';

/** The `User-Agent` the source sends unless the config sets one. */
export const USER_AGENT = 'sluice-http-source/1.0';

/** One HTTP request of a poll, ready to send. */
export interface PageRequest {
  readonly method: HttpMethod;
  readonly url: string;
  /** The URL as it may be shown (record headers, logs, failures): secrets replaced by REDACTED. */
  readonly displayUrl: string;
  /** Header values are secrets: never log them. */
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/**
 * What placeholders hold during one poll: its start time, the page and cursor of the request being
 * built, and the `{{randomInt}}` values, drawn at first use and then kept for the whole poll.
 */
export class PollScope implements TemplateScope {
  page: number;
  cursor = '';
  private readonly drawn = new Map<Placeholder, number>();

  constructor(
    readonly startedAt: number,
    firstPage: number,
    private readonly random: RandomSource,
    private readonly environment: Readonly<Record<string, string | undefined>>,
  ) {
    this.page = firstPage;
  }

  env(name: string): string | undefined {
    return this.environment[name];
  }

  randomInt(placeholder: Placeholder & { name: 'randomInt' }): number {
    let value = this.drawn.get(placeholder);
    if (value === undefined) {
      value = this.random.int(placeholder.min, placeholder.max);
      this.drawn.set(placeholder, value);
    }
    return value;
  }
}

type BodyTemplate = { readonly kind: 'json'; readonly template: JsonTemplate } | { readonly kind: 'text'; readonly template: TextTemplate };

/** The compiled request templates of a (validated) config, and how to turn them into requests. */
export class RequestPlan {
  private readonly url: TextTemplate;
  private readonly body?: BodyTemplate;
  private readonly headers: ReadonlyArray<readonly [string, TextTemplate]>;
  private readonly bearerToken?: TextTemplate;
  private readonly secretParams: ReadonlySet<string>;
  private readonly method: HttpMethod;

  constructor(config: Pick<HttpSourceConfig, 'url' | 'method' | 'body' | 'headers' | 'bearerToken' | 'redactQueryParams'>) {
    this.method = config.method;
    this.url = TextTemplate.compile(config.url);
    if (config.body !== undefined) {
      this.body = typeof config.body === 'string' ? { kind: 'text', template: TextTemplate.compile(config.body) } : { kind: 'json', template: compileJsonTemplate(config.body) };
    }
    this.headers = Object.entries(config.headers).map(([name, value]) => [name, TextTemplate.compile(value)] as const);
    this.bearerToken = config.bearerToken === undefined ? undefined : TextTemplate.compile(config.bearerToken);
    this.secretParams = secretParamSet(config.redactQueryParams);
  }

  /** Every template of the request. */
  private templates(): TextTemplate[] {
    const body = this.body === undefined ? [] : this.body.kind === 'text' ? [this.body.template] : jsonTemplateTexts(this.body.template);
    return [this.url, ...body, ...this.headers.map(([, template]) => template), ...(this.bearerToken ? [this.bearerToken] : [])];
  }

  /** Whether any template (url, body, headers) uses this placeholder. */
  uses(name: PlaceholderName): boolean {
    return this.templates().some((template) => template.uses(name));
  }

  /** The environment variables the templates read, each once. */
  envNames(): string[] {
    return [...new Set(this.templates().flatMap((template) => template.envNames()))];
  }

  /** A URL made fit to be shown: user info and secret query parameters redacted. */
  display(url: string): string {
    return redactUrl(url, this.secretParams);
  }

  /** The templated URL as it may be shown, with the values of `scope` ({{env}} values redacted). */
  displayTemplateUrl(scope: TemplateScope): string {
    return this.display(this.url.render(scope, { encode: encodeURIComponent, secretAs: REDACTED }));
  }

  /**
   * The request for the current page of `scope`: to `nextUrl` when the previous page named one
   * (pagination by URL), else to the templated url.
   */
  build(scope: TemplateScope, nextUrl?: string): PageRequest {
    const url = nextUrl ?? this.url.render(scope, { encode: encodeURIComponent });
    const displayUrl = nextUrl !== undefined ? this.display(nextUrl) : this.displayTemplateUrl(scope);
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': USER_AGENT };
    let body: string | undefined;
    if (this.body?.kind === 'json') {
      body = JSON.stringify(renderJsonTemplate(this.body.template, scope));
      headers['content-type'] = 'application/json';
    } else if (this.body?.kind === 'text') {
      body = this.body.template.render(scope);
      headers['content-type'] = 'text/plain; charset=utf-8';
    }
    if (this.bearerToken) headers.authorization = `Bearer ${checkedHeaderValue('bearerToken', this.bearerToken.render(scope))}`;
    for (const [name, template] of this.headers) headers[name.toLowerCase()] = checkedHeaderValue(`headers.${name}`, template.render(scope));
    return { method: this.method, url, displayUrl, headers, ...(body === undefined ? {} : { body }) };
  }
}

/** A header value with no line break (a value from {{env}} could hold one); the error never shows the value. */
function checkedHeaderValue(where: string, value: string): string {
  if (/[\r\n\0]/.test(value)) throw new Error(`http: ${where} renders to a value holding a line break or NUL, which HTTP forbids (check the environment variables it uses)`);
  return value;
}
