import { CodecError, describeError, RecordError } from '@sluice/sdk';

/** A JSON text's value, or the parser's message. */
export function parseJson(text: string): { readonly value: unknown } | { readonly error: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/**
 * The JSON text of a value, or why it has none (a BigInt, a cycle, a function). `undefined` is
 * written as null: JSON has no undefined. JSON.stringify escapes line breaks inside strings, so the
 * text is always one line.
 */
export function toJsonText(value: unknown): string | RecordError {
  let text: string | undefined;
  try {
    text = JSON.stringify(value === undefined ? null : value);
  } catch (error) {
    return new RecordError(`record has no JSON form: ${describeError(error)}`, { retryable: false });
  }
  if (text === undefined) return new RecordError(`record value of type ${typeof value} has no JSON form`, { retryable: false });
  return text;
}

/** One JSON value from a whole message (a UTF-8 byte order mark is allowed). */
export function decodeJsonMessage(bytes: Uint8Array): unknown {
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const parsed = parseJson(text);
  if ('error' in parsed) throw new CodecError(`invalid JSON: ${parsed.error}`);
  return parsed.value;
}

/** One value as a JSON message. */
export function encodeJsonMessage(value: unknown): Buffer {
  const text = toJsonText(value);
  if (text instanceof RecordError) throw new CodecError(text.message, { cause: text });
  return Buffer.from(text, 'utf8');
}
