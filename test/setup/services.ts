/**
 * External services for the integration tests (jest globalSetup / globalTeardown helpers).
 *
 * `ensureServices(['postgres', 'kafka', 'cassandra'])`:
 * - kafka / cassandra: if a server answers at the configured address (KAFKA_BROKERS,
 *   CASSANDRA_CONTACT_POINTS; a real Kafka Metadata request / CQL `SELECT release_version FROM
 *   system.local`, see services/probe.mjs) it is used as is; otherwise `services/services.sh up`
 *   starts it on 127.0.0.1 from the Maven-fetched jars (both at once when both are missing).
 * - postgres: never started here (the machine provides it); a TCP connect to DATABASE_URL's host.
 * A service that is neither reachable nor startable makes it throw, with the end of the service's
 * log: tests never skip silently, in CI (CI=true) or on a developer machine.
 * The addresses are exported through process.env (KAFKA_BROKERS, CASSANDRA_CONTACT_POINTS,
 * CASSANDRA_LOCAL_DC, DATABASE_URL) for the test workers, which jest starts after globalSetup.
 *
 * `stopStartedServices()` stops only what `ensureServices` started (remembered in
 * process.env.SLUICE_SERVICES_STARTED, so it works across jest's separate module registries of
 * globalSetup and globalTeardown, which share one process).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export type ServiceName = 'kafka' | 'cassandra' | 'postgres';
type ManagedService = Exclude<ServiceName, 'postgres'>;

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const DEFAULT_CASSANDRA_LOCAL_DC = 'datacenter1';
/** Comma-separated services that ensureServices started in this process (and so may stop). */
export const STARTED_ENV = 'SLUICE_SERVICES_STARTED';

const SERVICE_NAMES: readonly ServiceName[] = ['kafka', 'cassandra', 'postgres'];
const POSTGRES_CONNECT_TIMEOUT_MS = 3000;
const OUTPUT_TAIL_LINES = 80;

export interface ServiceOptions {
  /** Repository root (holds services/services.sh); default: found upwards from process.cwd(). */
  rootDir?: string;
}

/**
 * The repository root. No import.meta here on purpose: jest loads globalSetup/globalTeardown (and
 * so this file) as CommonJS, while test files load it as ESM.
 */
export function findRepoRoot(start: string = process.cwd()): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'services', 'services.sh'))) return dir;
    if (path.dirname(dir) === dir) {
      throw new Error(`services/services.sh not found in ${start} or any parent directory (pass rootDir)`);
    }
  }
}

const scripts = (rootDir: string) => ({
  root: rootDir,
  services: path.join(rootDir, 'services', 'services.sh'),
  probe: path.join(rootDir, 'services', 'probe.mjs'),
});
type Scripts = ReturnType<typeof scripts>;

/** Where clients look for the service: the env variable, or the harness default (same rule as services.sh). */
export function configuredAddress(name: ManagedService, env: NodeJS.ProcessEnv = process.env): string {
  if (name === 'kafka') return env.KAFKA_BROKERS || `127.0.0.1:${env.KAFKA_PORT || 9092}`;
  return env.CASSANDRA_CONTACT_POINTS || `127.0.0.1:${env.CASSANDRA_PORT || 9042}`;
}

/** Validates a list of service names (e.g. from an env variable such as "postgres,kafka"). */
export function parseServiceList(list: string): ServiceName[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!SERVICE_NAMES.includes(name as ServiceName)) {
      throw new Error(`unknown test service "${name}" in "${list}" (known: ${SERVICE_NAMES.join(', ')})`);
    }
  }
  return names as ServiceName[];
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command without a shell; stderr is optionally echoed live (progress of services.sh). */
function run(cwd: string, command: string, args: string[], echoStderr: boolean): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (echoStderr) process.stderr.write(chunk);
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const tail = (text: string, lines = OUTPUT_TAIL_LINES): string => text.trimEnd().split('\n').slice(-lines).join('\n');

/** One protocol-level probe (services/probe.mjs): resolves to the answering address or null. */
async function probe(paths: Scripts, name: ManagedService, addresses: string): Promise<string | null> {
  const result = await run(paths.root, process.execPath, [paths.probe, name, addresses], false);
  return result.code === 0 ? result.stdout.trim().split(/\s+/)[0] : null;
}

/** DATABASE_URL with its password replaced, for messages (secrets are never logged). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparsable DATABASE_URL>';
  }
}

/** TCP (or unix-socket) connect to the PostgreSQL server named by a postgres:// URL. */
export async function checkPostgres(url: string): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`DATABASE_URL is not a valid URL: ${redactUrl(url)}`);
  }
  const port = Number(parsed.port || 5432);
  const socketDir = parsed.searchParams.get('host') ?? '';
  const target = socketDir.startsWith('/')
    ? { path: path.join(socketDir, `.s.PGSQL.${port}`) }
    : { host: decodeURIComponent(parsed.hostname.replace(/^\[|\]$/g, '')) || '127.0.0.1', port };
  const where = 'path' in target ? target.path : `${target.host}:${target.port}`;
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect(target);
    const fail = (reason: string) => {
      socket.destroy();
      reject(
        new Error(
          `PostgreSQL is not reachable at ${where} (DATABASE_URL=${redactUrl(url)}): ${reason}. ` +
            'The tests expect the machine to provide it (user postgres, database test).',
        ),
      );
    };
    socket.setTimeout(POSTGRES_CONNECT_TIMEOUT_MS, () => fail(`no connection within ${POSTGRES_CONNECT_TIMEOUT_MS} ms`));
    socket.once('error', (error) => fail(error.message));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
  });
}

function startedServices(): ManagedService[] {
  return (process.env[STARTED_ENV] ?? '').split(',').filter((s): s is ManagedService => s === 'kafka' || s === 'cassandra');
}

function rememberStarted(names: ManagedService[]): void {
  const all = new Set([...startedServices(), ...names]);
  if (all.size > 0) process.env[STARTED_ENV] = [...all].join(',');
}

/**
 * Makes sure every named service answers, starting Kafka/Cassandra with services.sh when needed,
 * and exports their addresses through process.env. Throws (never skips) when one is unavailable.
 */
export async function ensureServices(names: readonly ServiceName[], options: ServiceOptions = {}): Promise<void> {
  const wanted = parseServiceList(names.join(','));
  const paths = scripts(options.rootDir ?? findRepoRoot());
  const failures: string[] = [];
  const missing: ManagedService[] = [];

  await Promise.all(
    wanted.map(async (name) => {
      if (name === 'postgres') {
        const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
        try {
          await checkPostgres(url);
          process.env.DATABASE_URL = url;
        } catch (error) {
          failures.push((error as Error).message);
        }
        return;
      }
      if ((await probe(paths, name, configuredAddress(name))) === null) missing.push(name);
    }),
  );

  const startedNow: ManagedService[] = [];
  if (missing.length > 0) {
    const target = missing.length === 2 ? 'all' : missing[0];
    const result = await run(paths.root, 'bash', [paths.services, 'up', target], true);
    const outcome = new Map<string, string>();
    for (const line of result.stdout.split('\n')) {
      const [service, state] = line.trim().split(/\s+/);
      if (service && state) outcome.set(service, state);
    }
    for (const name of missing) {
      const state = outcome.get(name);
      if (state === 'started') startedNow.push(name);
      if (!state) {
        failures.push(
          `${name} is not reachable at ${configuredAddress(name)} and could not be started ` +
            `(services/services.sh up ${target} exited with ${result.code}${process.env.CI === 'true' ? ', CI=true' : ''}).\n` +
            `--- services.sh output (end), incl. the end of .services/${name}/logs/${name}.log ---\n${tail(result.stderr)}`,
        );
      }
    }
  }
  if (failures.length > 0) {
    // jest does not run globalTeardown after a failed globalSetup: stop what this call started.
    await stopServices(paths, startedNow);
    throw new Error(
      `Test services unavailable:\n${failures.join('\n\n')}\n\n` +
        'Start them with `bash services/services.sh up` (see docs/services.md) or point ' +
        'KAFKA_BROKERS / CASSANDRA_CONTACT_POINTS / DATABASE_URL at running servers.',
    );
  }
  rememberStarted(startedNow);

  for (const name of wanted) {
    if (name === 'kafka') process.env.KAFKA_BROKERS = configuredAddress('kafka');
    if (name === 'cassandra') {
      process.env.CASSANDRA_CONTACT_POINTS = configuredAddress('cassandra');
      process.env.CASSANDRA_LOCAL_DC ||= DEFAULT_CASSANDRA_LOCAL_DC;
    }
  }
}

async function stopServices(paths: Scripts, names: ManagedService[]): Promise<void> {
  if (names.length === 0) return;
  const target = names.length === 2 ? 'all' : names[0];
  const result = await run(paths.root, 'bash', [paths.services, 'down', target], true);
  if (result.code !== 0) {
    throw new Error(`services/services.sh down ${target} failed (exit ${result.code}):\n${tail(result.stderr)}`);
  }
}

/** Stops the services that ensureServices started in this process; external ones are left alone. */
export async function stopStartedServices(options: ServiceOptions = {}): Promise<void> {
  const started = startedServices();
  delete process.env[STARTED_ENV];
  if (started.length > 0) await stopServices(scripts(options.rootDir ?? findRepoRoot()), started);
}
