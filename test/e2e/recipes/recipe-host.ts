// Runs a recipe of config/pipelines/ the way an operator does (`sluice run <file>`, the built CLI)
// with the environment the recipe documents, and talks to its HTTP API.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

const CLI = resolve('dist/apps/sluice/src/main.js');

export interface RecipeHost {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  readonly exited: Promise<number | null>;
  output(): string;
  /** GET/POST on the host with the bearer token; the parsed JSON body (or text) and status. */
  call(method: 'GET' | 'POST', path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: any; text: string }>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** Thrown by a probe of {@link until} to stop waiting at once. */
export class FatalWait extends Error {}

export async function until<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 120_000, host?: RecipeHost): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      if (error instanceof FatalWait) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out waiting for ${what}${detail}${host ? `\n--- host output ---\n${host.output().slice(-6000)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Starts `sluice run <recipe>` with `env` on top of this process's environment. */
export async function startRecipe(recipe: string, env: Record<string, string>, token: string): Promise<RecipeHost> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [CLI, 'run', resolve(recipe)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env, SLUICE_HTTP_HOST: '127.0.0.1', SLUICE_HTTP_PORT: String(port), SLUICE_TOKEN: token, SLUICE_LOG_LEVEL: 'info' },
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const host: RecipeHost = {
    child,
    baseUrl,
    exited,
    output: () => output,
    async call(method, path, body, callToken = token) {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { ...(callToken ? { authorization: `Bearer ${callToken}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body: parsed, text };
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));
  await until(async () => {
    if (exitedEarly) throw new FatalWait(`the host exited: ${output.slice(-4000)}`);
    return (await host.call('GET', '/health/live', undefined, null)).status === 200;
  }, `the ${recipe} host to answer /health/live`, 120_000, host);
  return host;
}
