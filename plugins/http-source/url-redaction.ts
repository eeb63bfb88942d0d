/** What replaces a secret in a URL that is shown (record headers, logs, failure records, health). */
export const REDACTED = 'REDACTED';

/** Query parameters whose values are hidden by default: the usual names of API keys and tokens. */
export const DEFAULT_REDACTED_QUERY_PARAMS: readonly string[] = [
  'api_key',
  'apikey',
  'api-key',
  'key',
  'token',
  'access_token',
  'auth',
  'client_secret',
  'password',
  'secret',
  'signature',
  'sig',
];

/**
 * A URL fit to be shown: user name and password removed, and the values of the query parameters
 * named in `secretParams` (compared case-insensitively) replaced by {@link REDACTED}. A string that
 * is not a URL is returned as `REDACTED` (it could be anything).
 */
export function redactUrl(url: string, secretParams: ReadonlySet<string>): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return REDACTED;
  }
  parsed.username = '';
  parsed.password = '';
  if (parsed.search) {
    const query = parsed.search
      .slice(1)
      .split('&')
      .map((pair) => {
        const at = pair.indexOf('=');
        const rawName = at < 0 ? pair : pair.slice(0, at);
        let name: string;
        try {
          name = decodeURIComponent(rawName.replace(/\+/g, ' '));
        } catch {
          name = rawName;
        }
        return at >= 0 && secretParams.has(name.toLowerCase()) ? `${rawName}=${REDACTED}` : pair;
      })
      .join('&');
    parsed.search = query;
  }
  return parsed.toString();
}

/** The lower-cased set of parameter names for {@link redactUrl}. */
export function secretParamSet(names: readonly string[]): ReadonlySet<string> {
  return new Set(names.map((name) => name.toLowerCase()));
}
