/**
 * Request templates: the url, body, header values and bearer token of the http source may hold
 * placeholders, filled in for every request. The grammar is deliberately small:
 *
 *     template    = *( text / escape / placeholder )
 *     escape      = "\{{"                                  ; a literal "{{"
 *     placeholder = "{{" *SP name *( 1*SP argument ) *SP "}}"
 *     argument    = 1*( any character but white space and "}" )
 *
 * | placeholder              | value                                                                    |
 * |--------------------------|--------------------------------------------------------------------------|
 * | `{{randomInt MIN MAX}}`  | an integer drawn uniformly from [MIN, MAX] (integers, both inclusive), once per poll: every page of a poll sees the same value |
 * | `{{now}}`, `{{now iso}}` | the time the poll started, ISO 8601 in UTC (`2025-06-01T12:00:00.000Z`)  |
 * | `{{now ms}}`, `{{now s}}`| the same time in epoch milliseconds / whole epoch seconds                |
 * | `{{env NAME}}`           | the environment variable NAME, read at each request (it must be set when the source starts); a secret: shown as REDACTED in `http.url` |
 * | `{{page}}`               | the page number inside the poll: `firstPage` for the first request, then +1 per page |
 * | `{{cursor}}`             | the cursor read at `nextPath` in the previous page; empty on the first page |
 *
 * In the url each value is percent-encoded (`encodeURIComponent`), so it stays inside its path
 * segment or query parameter. Header values, the bearer token and a string body get values as they
 * are. In a JSON body (an object or array), a string that is exactly one placeholder takes the
 * value's own type (`id: "{{randomInt 1 1025}}"` sends a number); other strings are text.
 * `{{` always opens a placeholder; anything else (including a lone `}}`) is plain text.
 */
import { didYouMean } from '@sluice/sdk';

export const PLACEHOLDER_NAMES = ['randomInt', 'now', 'env', 'page', 'cursor'] as const;
export type PlaceholderName = (typeof PLACEHOLDER_NAMES)[number];

const NOW_FORMATS = ['iso', 'ms', 's'] as const;
type NowFormat = (typeof NOW_FORMATS)[number];

/** One `{{...}}` of a template. */
export type Placeholder =
  | { readonly name: 'randomInt'; readonly min: number; readonly max: number }
  | { readonly name: 'now'; readonly format: NowFormat }
  | { readonly name: 'env'; readonly variable: string }
  | { readonly name: 'page' }
  | { readonly name: 'cursor' };

type Part = string | Placeholder;

/** A template that does not follow the grammar; `column` is 1-based. */
export class TemplateError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** What placeholders are filled with, for one request. */
export interface TemplateScope {
  /** Epoch ms at which the poll started (`{{now}}`). */
  readonly startedAt: number;
  readonly page: number;
  readonly cursor: string;
  env(name: string): string | undefined;
  /** The value of one `{{randomInt}}` placeholder for the current poll (drawn at its first use). */
  randomInt(placeholder: Placeholder & { name: 'randomInt' }): number;
}

export interface RenderOptions {
  /** Applied to every placeholder value (the url percent-encodes them). */
  readonly encode?: (value: string) => string;
  /** Render `{{env}}` values as this text instead of their value (for URLs that are shown). */
  readonly secretAs?: string;
}

/** A compiled text template. */
export class TextTemplate {
  private constructor(
    readonly source: string,
    private readonly parts: readonly Part[],
  ) {}

  /** Compiles `source`; throws a {@link TemplateError} naming the column of the first problem. */
  static compile(source: string): TextTemplate {
    return new TextTemplate(source, parse(source));
  }

  get placeholders(): Placeholder[] {
    return this.parts.filter((part): part is Placeholder => typeof part !== 'string');
  }

  /** Whether the template holds a placeholder of this name. */
  uses(name: PlaceholderName): boolean {
    return this.placeholders.some((p) => p.name === name);
  }

  /** The environment variables the template reads. */
  envNames(): string[] {
    return this.placeholders.flatMap((p) => (p.name === 'env' ? [p.variable] : []));
  }

  render(scope: TemplateScope, options: RenderOptions = {}): string {
    let out = '';
    for (const part of this.parts) {
      if (typeof part === 'string') {
        out += part;
        continue;
      }
      const value = part.name === 'env' && options.secretAs !== undefined ? options.secretAs : String(valueOf(part, scope));
      out += options.encode ? options.encode(value) : value;
    }
    return out;
  }

  /** The value with its own type when the template is exactly one placeholder, else the rendered text. */
  typedValue(scope: TemplateScope): string | number {
    if (this.parts.length === 1 && typeof this.parts[0] !== 'string') return valueOf(this.parts[0], scope);
    return this.render(scope);
  }
}

/** A JSON body whose strings are templates (object keys are kept as written). */
export type JsonTemplate = { readonly kind: 'text'; readonly template: TextTemplate } | { readonly kind: 'array'; readonly items: JsonTemplate[] } | { readonly kind: 'object'; readonly entries: Array<[string, JsonTemplate]> } | { readonly kind: 'literal'; readonly value: unknown };

/** A template error at a path inside a JSON body (`filter.id`, `ids[2]`). */
export class JsonTemplateError extends Error {
  constructor(
    readonly path: string,
    readonly problem: TemplateError,
  ) {
    super(problem.message);
    this.name = 'JsonTemplateError';
  }
}

/** Compiles every string inside a JSON value; throws a {@link JsonTemplateError} with the path of the first bad one. */
export function compileJsonTemplate(value: unknown, path = ''): JsonTemplate {
  if (typeof value === 'string') {
    try {
      return { kind: 'text', template: TextTemplate.compile(value) };
    } catch (error) {
      if (error instanceof TemplateError) throw new JsonTemplateError(path, error);
      throw error;
    }
  }
  if (Array.isArray(value)) return { kind: 'array', items: value.map((item, i) => compileJsonTemplate(item, `${path}[${i}]`)) };
  if (typeof value === 'object' && value !== null) {
    return { kind: 'object', entries: Object.entries(value).map(([key, item]) => [key, compileJsonTemplate(item, path ? `${path}.${key}` : key)]) };
  }
  return { kind: 'literal', value };
}

/** Fills in a compiled JSON body. */
export function renderJsonTemplate(node: JsonTemplate, scope: TemplateScope): unknown {
  switch (node.kind) {
    case 'text':
      return node.template.typedValue(scope);
    case 'array':
      return node.items.map((item) => renderJsonTemplate(item, scope));
    case 'object':
      return Object.fromEntries(node.entries.map(([key, item]) => [key, renderJsonTemplate(item, scope)]));
    case 'literal':
      return node.value;
  }
}

/** Every text template inside a JSON body. */
export function jsonTemplateTexts(node: JsonTemplate): TextTemplate[] {
  switch (node.kind) {
    case 'text':
      return [node.template];
    case 'array':
      return node.items.flatMap(jsonTemplateTexts);
    case 'object':
      return node.entries.flatMap(([, item]) => jsonTemplateTexts(item));
    case 'literal':
      return [];
  }
}

function valueOf(placeholder: Placeholder, scope: TemplateScope): string | number {
  switch (placeholder.name) {
    case 'randomInt':
      return scope.randomInt(placeholder);
    case 'now':
      if (placeholder.format === 'ms') return scope.startedAt;
      if (placeholder.format === 's') return Math.floor(scope.startedAt / 1000);
      return new Date(scope.startedAt).toISOString();
    case 'env': {
      const value = scope.env(placeholder.variable);
      if (value === undefined) throw new Error(`environment variable ${placeholder.variable} (used as {{env ${placeholder.variable}}}) is not set`);
      return value;
    }
    case 'page':
      return scope.page;
    case 'cursor':
      return scope.cursor;
  }
}

function parse(source: string): Part[] {
  const parts: Part[] = [];
  let text = '';
  let i = 0;
  while (i < source.length) {
    if (source.startsWith('\\{{', i)) {
      text += '{{';
      i += 3;
    } else if (source.startsWith('{{', i)) {
      const end = source.indexOf('}}', i + 2);
      if (end < 0) throw new TemplateError(`unclosed "{{" at column ${i + 1}: close it with "}}", or write \\{{ for a literal "{{"`, i + 1);
      if (text) parts.push(text);
      text = '';
      parts.push(placeholder(source.slice(i + 2, end), i + 1));
      i = end + 2;
    } else {
      text += source[i];
      i++;
    }
  }
  if (text) parts.push(text);
  return parts;
}

function placeholder(inner: string, column: number): Placeholder {
  const words = inner.trim().split(/\s+/).filter(Boolean);
  const at = `at column ${column}`;
  if (words.length === 0) throw new TemplateError(`empty placeholder "{{}}" ${at}; placeholders: ${PLACEHOLDER_NAMES.join(', ')}`, column);
  const [name, ...args] = words;
  const expectArgs = (count: number, usage: string) => {
    if (args.length !== count) throw new TemplateError(`{{${inner.trim()}}} ${at}: write ${usage}`, column);
  };
  switch (name) {
    case 'randomInt': {
      expectArgs(2, '{{randomInt MIN MAX}} with two integers, e.g. {{randomInt 1 1025}}');
      const [min, max] = args.map(Number);
      if (!args.every((a) => /^-?\d+$/.test(a)) || !Number.isSafeInteger(min) || !Number.isSafeInteger(max)) {
        throw new TemplateError(`{{${inner.trim()}}} ${at}: MIN and MAX must be integers, e.g. {{randomInt 1 1025}}`, column);
      }
      if (min > max) throw new TemplateError(`{{${inner.trim()}}} ${at}: MIN (${min}) is greater than MAX (${max})`, column);
      return { name, min, max };
    }
    case 'now': {
      if (args.length > 1) throw new TemplateError(`{{${inner.trim()}}} ${at}: write {{now}}, {{now iso}}, {{now ms}} or {{now s}}`, column);
      const format = (args[0] ?? 'iso') as NowFormat;
      if (!NOW_FORMATS.includes(format)) throw new TemplateError(`{{${inner.trim()}}} ${at}: unknown format "${args[0]}"; use iso, ms or s`, column);
      return { name, format };
    }
    case 'env': {
      expectArgs(1, '{{env NAME}} with one variable name');
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(args[0])) throw new TemplateError(`{{${inner.trim()}}} ${at}: "${args[0]}" is not an environment variable name (letters, digits, _)`, column);
      return { name, variable: args[0] };
    }
    case 'page':
    case 'cursor':
      expectArgs(0, `{{${name}}} without arguments`);
      return { name };
    default: {
      const suggestion = didYouMean(name, PLACEHOLDER_NAMES);
      throw new TemplateError(`unknown placeholder "${name}" ${at}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; placeholders: ${PLACEHOLDER_NAMES.join(', ')}`, column);
    }
  }
}
