import { ConfigValidationError } from '#runtime';

/** Prints a config error (one `file:line path: message` line per issue) and returns exit code 2. */
export function reportConfigError(error: unknown): number {
  if (error instanceof ConfigValidationError) {
    process.stderr.write(`${error.format()}\n`);
    return 2;
  }
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  return 2;
}
