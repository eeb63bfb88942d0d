import { describeError } from '@sluice/sdk';
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `text` to `file` atomically: into a temporary file beside it, then renamed over it, so a
 * reader sees the old content or the new one, never half of it. Creates the folder when needed.
 */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  const folder = dirname(file);
  await mkdir(folder, { recursive: true });
  const temporary = join(folder, `.${basename(file)}.${process.pid}.${randomUUID()}.tmp`);
  try {
    await writeFile(temporary, text);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new Error(`cannot write ${file}: ${describeError(error)}`);
  }
}

/** A URL as it may be logged: origin and path only (no user info, query string or fragment, which may hold secrets). */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '<invalid URL>';
  }
}

/** `message` with `url` (as written, and as the URL parser writes it) replaced by `shown`: some fetch errors quote it whole. */
function scrubUrl(message: string, url: string, shown: string): string {
  let href: string | undefined;
  try {
    href = new URL(url).href;
  } catch {
    href = undefined;
  }
  const scrubbed = message.split(url).join(shown);
  return href === undefined ? scrubbed : scrubbed.split(href).join(shown);
}

/**
 * POSTs `text` as JSON to `url` with `headers`; resolves with the status of a 2xx answer, rejects
 * otherwise (redirects are not followed: the headers may hold credentials). Messages show the
 * URL without its query string and never the headers.
 */
export async function postJson(url: string, headers: Readonly<Record<string, string>>, text: string, signal: AbortSignal): Promise<number> {
  const shown = displayUrl(url);
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text, signal, redirect: 'manual' });
  } catch (error) {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error(`POST ${shown} was aborted`);
    const cause = (error as { cause?: unknown }).cause;
    throw new Error(`POST ${shown} failed: ${scrubUrl(describeError(cause ?? error), url, shown)}`);
  }
  // The answer's body is not used: release the connection.
  await response.body?.cancel().catch(() => undefined);
  if (response.status < 200 || response.status > 299) throw new Error(`POST ${shown} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  return response.status;
}
