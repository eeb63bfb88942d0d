import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { displayUrl, postJson, writeFileAtomically } from './query-output.js';

const root = mkdtempSync(join(tmpdir(), 'sluice-query-output-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('writeFileAtomically', () => {
  it('creates the folder, replaces the file and leaves no temporary file behind', async () => {
    const file = join(root, 'a', 'b', 'result.json');
    await writeFileAtomically(file, '{"v":1}');
    await writeFileAtomically(file, '{"v":2}');
    expect(readFileSync(file, 'utf8')).toBe('{"v":2}');
    expect(readdirSync(join(root, 'a', 'b'))).toEqual(['result.json']);
  });

  it('fails with the path when the target cannot be replaced, and cleans up', async () => {
    const folder = join(root, 'taken');
    mkdirSync(join(folder, 'result.json'), { recursive: true });
    await expect(writeFileAtomically(join(folder, 'result.json'), '{}')).rejects.toThrow(`cannot write ${join(folder, 'result.json')}: `);
    expect(readdirSync(folder)).toEqual(['result.json']);
  });
});

describe('displayUrl', () => {
  it('keeps the origin and path only', () => {
    expect(displayUrl('https://user:pass@hooks.example.com:8443/a/b?token=x#frag')).toBe('https://hooks.example.com:8443/a/b');
    expect(displayUrl('not a url')).toBe('<invalid URL>');
  });
});

describe('postJson', () => {
  it('resolves with a 2xx status, rejects other answers and network errors without the query string', async () => {
    const statuses = [202, 302, 404];
    const server = createServer((request, response) => {
      response.writeHead(statuses.shift() ?? 500, request.url?.startsWith('/r') ? { location: 'https://elsewhere.example.com/' } : {});
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const signal = new AbortController().signal;
      expect(await postJson(`${base}/ok?token=secret`, {}, '{}', signal)).toBe(202);
      await expect(postJson(`${base}/r?token=secret`, {}, '{}', signal)).rejects.toThrow(`POST ${base}/r answered HTTP 302 Found`);
      await expect(postJson(`${base}/missing?token=secret`, {}, '{}', signal)).rejects.toThrow(`POST ${base}/missing answered HTTP 404 Not Found`);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    const refused = postJson(`${base}/gone?token=secret`, {}, '{}', new AbortController().signal);
    await expect(refused).rejects.toThrow(`POST ${base}/gone failed: `);
    await expect(refused).rejects.not.toThrow('secret');
  });

  it('never quotes the URL\'s user info or query string, even when fetch quotes the whole URL', async () => {
    // fetch refuses a URL with credentials before any request, with a message holding all of it.
    const failure = postJson('http://bot:pa55word@127.0.0.1:9/hook?token=secret', {}, '{}', new AbortController().signal);
    await expect(failure).rejects.toThrow('POST http://127.0.0.1:9/hook failed: ');
    const message = await failure.then(() => '', (error: unknown) => (error as Error).message);
    expect(message).not.toMatch(/pa55word|secret/);
  });
});
