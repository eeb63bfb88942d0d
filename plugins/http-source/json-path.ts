/**
 * Dotted paths into a parsed JSON body: `results`, `login.uuid`, `data.items.0.id`. Each segment
 * names an object property; a segment of digits indexes an array. The empty path is the body itself.
 * There is no escaping: property names holding dots cannot be reached (no API this source targets
 * needs that).
 */

/** A parsed dotted path: its segments, in order (empty for the whole value). */
export type JsonPath = readonly string[];

/** Why `path` is not a valid dotted path, or undefined when it is. */
export function pathProblem(path: string): string | undefined {
  if (path === '') return undefined;
  if (path.split('.').some((segment) => segment === '')) return `"${path}" has an empty segment: write names separated by single dots, e.g. results or login.uuid`;
  return undefined;
}

/** Splits a dotted path (checked with {@link pathProblem}) into its segments. */
export function parsePath(path: string): JsonPath {
  return path === '' ? [] : path.split('.');
}

/** The value at `path` inside `value`, or undefined when a segment is missing on the way. */
export function valueAt(value: unknown, path: JsonPath): unknown {
  let current = value;
  for (const segment of path) {
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else if (typeof current === 'object' && current !== null) {
      if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    } else {
      return undefined;
    }
  }
  return current;
}
