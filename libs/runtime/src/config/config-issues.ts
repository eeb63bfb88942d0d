import { isAbsolute, relative } from 'node:path';

/** One step of a config path: a mapping key or a list index. */
export type PathSegment = string | number;

/** `['pipelines', 0, 'sink', 'config', 'table']` → `pipelines[0].sink.config.table`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** `columns[2].type` → `['columns', 2, 'type']` (the inverse of {@link formatPath}). */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    segments.push(match[2] === undefined ? match[1]! : Number(match[2]));
  }
  return segments;
}

/**
 * Drops issues that only repeat another one: a range check ("must not be less than 1") on a field
 * that already has a type error ("must be an integer number") says nothing more.
 */
export function withoutRedundantIssues<I extends { readonly path: string; readonly message: string }>(issues: readonly I[]): I[] {
  const typeErrors = new Set(issues.filter((i) => /^must be an? /.test(i.message)).map((i) => i.path));
  return issues.filter((i) => !(typeErrors.has(i.path) && /^must not be (less|greater) than /.test(i.message)));
}

/** A problem in a config file, located where it is written. */
export interface ConfigFileIssue {
  /** Absolute path of the config file. */
  readonly file: string;
  /** 1-based line; 0 when the problem has no place in the file (an environment override). */
  readonly line: number;
  /** 1-based column; 0 with line 0. */
  readonly column: number;
  /** Config path, e.g. `pipelines[0].sink.config.table` ('' for the file as a whole). */
  readonly path: string;
  readonly message: string;
}

/** `config/x.yaml:14 pipelines[0].sink.config.table: must be a string`. */
export function formatIssue(issue: ConfigFileIssue, cwd: string = process.cwd()): string {
  const shown = relative(cwd, issue.file);
  const file = shown === '' || shown.startsWith('..') || isAbsolute(shown) ? issue.file : shown;
  const where = issue.line > 0 ? `${file}:${issue.line}` : `${file}:`;
  return `${where} ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

/**
 * The config file is invalid. `issues` holds every problem found (the whole file is checked
 * before anything starts); `format()` prints one line per issue. Messages never contain values
 * that came from environment variables.
 */
export class ConfigValidationError extends Error {
  readonly issues: readonly ConfigFileIssue[];

  constructor(issues: readonly ConfigFileIssue[]) {
    super(`invalid config (${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}):\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
    this.name = 'ConfigValidationError';
    this.issues = issues;
  }

  /** One line per issue: `<file>:<line> <path>: <message>`, the file relative to `cwd` when inside it. */
  format(cwd: string = process.cwd()): string {
    return this.issues.map((issue) => formatIssue(issue, cwd)).join('\n');
  }
}
