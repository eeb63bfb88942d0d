/** A result that cannot travel as JSON: a function, or a number JSON cannot represent. */
export class NotJsonError extends Error {
  constructor(readonly path: string, what: string) {
    super(`the result holds ${what} at ${path || '/'}, which is not JSON data`);
    this.name = 'NotJsonError';
  }
}

/**
 * JSONata's own functions are objects: built-ins carry `_jsonata_function` and a JS
 * `implementation`, lambdas `_jsonata_lambda` and their scope (with JS functions). Data parsed from
 * JSON can carry those flags but never JS functions, so it is not mistaken for a function here.
 */
function isJsonataFunction(value: object): boolean {
  const candidate = value as { _jsonata_function?: unknown; _jsonata_lambda?: unknown; implementation?: unknown; environment?: { lookup?: unknown } };
  if (candidate._jsonata_function === true && typeof candidate.implementation === 'function') return true;
  return candidate._jsonata_lambda === true && typeof candidate.environment?.lookup === 'function';
}

function pointer(parent: string, key: string | number): string {
  return `${parent}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/**
 * Copies a jsonata result into plain JSON data: JSONata's sequences (arrays carrying a `sequence`
 * flag) become plain arrays and its prototype-less objects plain objects, so downstream stages
 * see ordinary values. Object properties holding `undefined` are left out, as JSON would.
 * Throws {@link NotJsonError} for functions and for NaN or infinite numbers.
 */
export function toPlainJson(value: unknown, path = ''): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new NotJsonError(path, `the number ${value}`);
      return value;
    case 'function':
      throw new NotJsonError(path, 'a function');
    case 'object': {
      if (value === null) return null;
      if (isJsonataFunction(value)) throw new NotJsonError(path, 'a function');
      if (Array.isArray(value)) return value.map((member, index) => toPlainJson(member, pointer(path, index)));
      const copy: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        const member = toPlainJson((value as Record<string, unknown>)[key], pointer(path, key));
        if (member === undefined) continue;
        // defineProperty keeps a `__proto__` key as data instead of setting the prototype.
        if (key === '__proto__') Object.defineProperty(copy, key, { value: member, enumerable: true, writable: true, configurable: true });
        else copy[key] = member;
      }
      return copy;
    }
    default:
      throw new NotJsonError(path, `a ${typeof value}`);
  }
}
