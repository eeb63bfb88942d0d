import { inspect } from 'node:util';

/** How much of an unserialisable value a dead letter keeps, in characters. */
export const UNSERIALISABLE_PREVIEW_CHARS = 4096;

/** What a dead letter carries instead of a value that cannot be written as JSON. */
export interface UnserialisableValue {
  readonly unserialisable: string;
  readonly preview: string;
}

/**
 * `value` itself when it survives JSON serialisation (what every dead-letter sink does with it);
 * otherwise a truncated, serialisable description of it with the reason (nested too deep for the
 * stack, a cycle, a BigInt...). A dead letter must always be writable: a letter that cannot be
 * stored would send its batch back to the source again and again.
 */
export function deadLetterPayload(value: unknown): unknown {
  try {
    JSON.stringify(value);
    return value;
  } catch (error) {
    const reason = error instanceof RangeError ? 'nested too deeply to serialise' : `cannot be serialised as JSON (${error instanceof Error ? error.message : String(error)})`;
    const preview = inspect(value, { depth: 6, maxArrayLength: 20, maxStringLength: 256, breakLength: Number.POSITIVE_INFINITY });
    const unserialisable: UnserialisableValue = {
      unserialisable: reason,
      preview: preview.length > UNSERIALISABLE_PREVIEW_CHARS ? `${preview.slice(0, UNSERIALISABLE_PREVIEW_CHARS)}…` : preview,
    };
    return unserialisable;
  }
}
