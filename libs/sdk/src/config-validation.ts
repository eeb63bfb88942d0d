import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { closest, distance } from 'fastest-levenshtein';
import { configFieldNames } from './config-field.js';

/** One problem in a config: `path` is relative to the config object (`columns[2].type`). */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** A suggestion for a misspelt name: the closest candidate when it is close enough. */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(input, [...candidates]);
  const limit = Math.max(2, Math.floor(input.length / 3));
  return distance(input.toLowerCase(), best.toLowerCase()) <= limit ? best : undefined;
}

function joinPath(parent: string, property: string): string {
  if (/^\d+$/.test(property)) return `${parent}[${property}]`;
  return parent ? `${parent}.${property}` : property;
}

function flatten(errors: readonly ValidationError[], parent: string, out: ConfigIssue[]): void {
  for (const error of errors) {
    const path = joinPath(parent, error.property);
    for (const [rule, message] of Object.entries(error.constraints ?? {})) {
      if (rule === 'whitelistValidation') {
        const known = error.target ? configFieldNames(error.target.constructor as new () => object) : [];
        const suggestion = didYouMean(error.property, known);
        out.push({ path, message: `unknown field${suggestion ? ` (did you mean "${suggestion}"?)` : ''}` });
      } else {
        out.push({ path, message: message.replace(new RegExp(`^${error.property} `), '') });
      }
    }
    if (error.children?.length) flatten(error.children, path, out);
  }
}

/**
 * Turns a plain config object into an instance of the plugin's config class (defaults from the
 * class's initialisers) and validates it: wrong types, missing required fields and unknown fields
 * all become issues with their path. The runtime and the test harness both use this.
 */
export function validateConfig<C extends object>(
  configClass: new () => C,
  raw: unknown,
): { config: C; issues: ConfigIssue[] } {
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    return { config: new configClass(), issues: [{ path: '', message: 'must be an object' }] };
  }
  const config = plainToInstance(configClass, raw ?? {}, { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: false });
  const issues: ConfigIssue[] = [];
  flatten(errors, '', issues);
  return { config, issues };
}
