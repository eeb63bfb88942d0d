import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether two tokens are equal, in a time that depends on neither their content nor their length:
 * both are reduced to SHA-256 digests (always 32 bytes) and the digests compared with
 * `timingSafeEqual`, so a wrong token of another length is refused exactly like one of the same length.
 */
export function tokensEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Whether an `Authorization` header value carries the configured bearer token. With no token
 * configured (`http.token` unset or empty) every request is accepted; otherwise the header must be
 * `Bearer <token>`. The one check behind the data endpoints' guard and the health endpoints' details.
 */
export function bearerTokenAccepted(configuredToken: string | undefined, authorization: unknown): boolean {
  if (!configuredToken) return true;
  const given = typeof authorization === 'string' && authorization.startsWith(BEARER) ? authorization.slice(BEARER.length) : '';
  return tokensEqual(given, configuredToken);
}

const BEARER = 'Bearer ';

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
