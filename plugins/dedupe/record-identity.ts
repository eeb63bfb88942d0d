import { createHash } from 'node:crypto';

/** Identities longer than this are stored as a digest, so each remembered entry stays small. */
export const MAX_STORED_IDENTITY_LENGTH = 64;

/**
 * The text under which a dedupe identity is remembered, or undefined when there is none
 * (undefined or null). Strings and other JSON values get distinct prefixes, so `"1"` and `1`
 * differ; long identities become `#` + their SHA-256 digest (base64, 44 characters).
 */
export function identityText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'string' ? `s:${value}` : `j:${JSON.stringify(value)}`;
  if (text.length <= MAX_STORED_IDENTITY_LENGTH) return text;
  return `#${createHash('sha256').update(text).digest('base64')}`;
}
