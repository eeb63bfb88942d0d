// Runs the built `sluice run` CLI into the three stalls the runtime must survive: a pipeline whose
// sink cannot start (a PostgreSQL database that does not exist), a dead letter whose record cannot
// be serialised (nested 10,000 levels deep), and a sink write that hangs (a table locked by another
// session). Each time the host must stay live, say what is wrong (/health/ready, /api/pipelines,
// the log) and keep moving everything it can.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

const CLI = resolve('dist/apps/sluice/src/main.js');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface StageStatus {
  stage: string;
  plugin: string;
  state: string;
  lastError?: { message: string };
  counters: { in: number; out: number; acked: number; deadLettered: number };
}
interface PipelineStatus {
  name: string;
  state: string;
  checkpoint: Record<string, unknown>;
  stages: StageStatus[];
}

/** A `sluice run` process: its output so far, its HTTP address once it logged it, its exit. */
class SluiceProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  private text = '';

  constructor(configFile: string) {
    this.child = spawn(process.execPath, [CLI, 'run', configFile], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SLUICE_TOKEN: '' } });
    this.child.stdout!.on('data', (chunk) => (this.text += chunk));
    this.child.stderr!.on('data', (chunk) => (this.text += chunk));
    this.exited = new Promise((done) => this.child.on('exit', (code) => done(code)));
  }

  get output(): string {
    return this.text;
  }

  /** The pino log lines (JSON) printed so far. */
  logLines(): Array<Record<string, unknown>> {
    return this.text
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  }

  /** The address from the "HTTP endpoints ready" log line (the config asks for port 0). */
  async url(): Promise<string> {
    const line = await until(
      () => this.logLines().find((l) => typeof l.msg === 'string' && l.msg.startsWith('HTTP endpoints ready')),
      'the HTTP endpoints',
      20_000,
      () => this.text,
    );
    return line.address as string;
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

/** Polls `probe` until it returns something truthy; fails with what `describe` says otherwise. */
async function until<T>(probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string, timeoutMs: number, describe?: () => unknown): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) {
      const detail: unknown = await describe?.();
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail === undefined ? '' : `; last: ${typeof detail === 'string' ? detail.slice(-3000) : JSON.stringify(detail)}`}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function httpStatus(url: string): Promise<number> {
  return (await fetch(url)).status;
}

async function pipelines(base: string): Promise<PipelineStatus[]> {
  const response = await fetch(`${base}/api/pipelines`);
  if (response.status !== 200) throw new Error(`GET /api/pipelines answered ${response.status}`);
  return ((await response.json()) as { pipelines: PipelineStatus[] }).pipelines;
}

async function pipeline(base: string, name: string): Promise<PipelineStatus> {
  const found = (await pipelines(base)).find((p) => p.name === name);
  if (!found) throw new Error(`no pipeline "${name}" in /api/pipelines`);
  return found;
}

const stage = (status: PipelineStatus, name: string): StageStatus => {
  const found = status.stages.find((s) => s.stage === name);
  if (!found) throw new Error(`pipeline "${status.name}" has no stage "${name}": ${status.stages.map((s) => s.stage).join(', ')}`);
  return found;
};

function sqliteCount(file: string, table: string): number {
  if (!existsSync(file)) return 0;
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } catch {
    return 0;
  } finally {
    db.close();
  }
}

describe('stalls of the built CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-e2e-stalls-'));
  const running: SluiceProcess[] = [];
  const start = (name: string, yaml: string): SluiceProcess => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, yaml);
    const host = new SluiceProcess(file);
    running.push(host);
    return host;
  };

  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  });
  afterAll(async () => {
    for (const host of running) {
      if (host.child.exitCode === null && host.child.signalCode === null) host.child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('a sink that cannot start holds up only its own pipeline: live, not ready, the error shown, SIGTERM exits 0', async () => {
    const missing = `sluice_missing_${randomBytes(4).toString('hex')}`;
    const missingUrl = new URL(DATABASE_URL);
    missingUrl.pathname = `/${missing}`;
    const dataDir = join(dir, 'start-data');
    const host = start(
      'start',
      `
http: { host: 127.0.0.1, port: 0 }
dataDir: ${JSON.stringify(dataDir)}
log: { level: info, pretty: false }
pipelines:
  - name: to_missing_pg
    source: { plugin: generator, config: { rate: 50, fields: { id: sequence } } }
    sink:
      plugin: sql
      startTimeoutMs: 2000
      config:
        driver: postgres
        url: ${JSON.stringify(missingUrl.toString())}
        table: never_written
        key: [id]
        columns: [ { name: id, type: bigint } ]
  - name: to_sqlite
    source: { plugin: generator, config: { count: 3000, seed: 5, fields: { id: sequence, name: { type: string, length: 8 } } } }
    sink:
      plugin: sql
      config:
        driver: sqlite
        database: ${JSON.stringify(join(dataDir, 'out.db'))}
        table: rows
        key: [id]
        columns: [ { name: id, type: bigint }, { name: name, type: string } ]
    batch: { maxRecords: 500, maxWaitMs: 20 }
`,
    );
    const base = await host.url();
    await until(async () => (await httpStatus(`${base}/health/live`)) === 200, '/health/live to answer 200', 5_000);

    // The other pipeline runs to the end meanwhile.
    await until(() => sqliteCount(join(dataDir, 'out.db'), 'rows') === 3000, 'all 3000 rows in SQLite', 20_000, () => host.output);
    expect(await httpStatus(`${base}/health/ready`)).toBe(503);

    const blocked = await until(
      async () => {
        const status = await pipeline(base, 'to_missing_pg');
        return stage(status, 'sink').lastError ? status : undefined;
      },
      'the PostgreSQL sink to report its start error',
      10_000,
    );
    expect(blocked.state).toBe('starting');
    expect(['starting', 'restarting']).toContain(stage(blocked, 'sink').state);
    expect(stage(blocked, 'sink').lastError!.message).toContain(missing);
    const local = await until(
      async () => {
        const status = await pipeline(base, 'to_sqlite');
        return stage(status, 'sink').counters.acked === 3000 ? status : undefined;
      },
      'the SQLite sink to count 3000 records acknowledged',
      5_000,
      async () => (await pipeline(base, 'to_sqlite')).stages,
    );
    expect(['running', 'finished']).toContain(local.state);
    expect(await httpStatus(`${base}/health/live`)).toBe(200);
    expect(await httpStatus(`${base}/health/ready`)).toBe(503);

    const signalled = Date.now();
    expect(await host.stop()).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(5_000);
    expect(host.output).toContain('all pipelines drained and stopped');
  }, 60_000);

  it('a dead letter whose record is nested too deep to serialise is written truncated and the pipeline moves on', async () => {
    const dataDir = join(dir, 'deep-data');
    const input = join(dir, 'deep-in');
    mkdirSync(input);
    const depth = 10_000;
    const deep = `{"id":3,"name":"deep","v":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    // The deep line parses (JSON.parse is not recursive) but fails the schema: `v` must be a number.
    expect(() => JSON.stringify(JSON.parse(deep))).toThrow(RangeError);
    const lines = [{ id: 1, name: 'a', v: 1 }, { id: 2, name: 'b', v: 2 }, null, { id: 4, name: 'd', v: 4 }, { id: 5, name: 'e', v: 5 }, { id: 6, name: 'f', v: 6 }];
    const text = `${lines.map((l) => (l === null ? deep : JSON.stringify(l))).join('\n')}\n`;
    writeFileSync(join(input, 'records.jsonl'), text);
    const db = join(dataDir, 'out.db');
    const host = start(
      'deep',
      `
http: { host: 127.0.0.1, port: 0 }
dataDir: ${JSON.stringify(dataDir)}
log: { level: info, pretty: false }
pipelines:
  - name: deep
    source: { plugin: file, config: { directory: ${JSON.stringify(input)}, include: ['*.jsonl'], mode: once } }
    transforms:
      - plugin: validate
        config:
          schema: { type: object, required: [id, name, v], properties: { id: { type: integer }, name: { type: string }, v: { type: number } } }
    sink:
      plugin: sql
      config:
        driver: sqlite
        database: ${JSON.stringify(db)}
        table: good
        key: [id]
        mode: insert
        columns: [ { name: id, type: bigint }, { name: name, type: string } ]
    batch: { maxRecords: 2, maxWaitMs: 20 }
`,
    );
    const base = await host.url();
    const checkpointFile = join(dataDir, 'state', 'deep.checkpoint.json');
    await until(
      () => existsSync(checkpointFile) && Object.values(JSON.parse(readFileSync(checkpointFile, 'utf8')).positions as Record<string, { byte: number }>).some((p) => p.byte === statSync(join(input, 'records.jsonl')).size),
      'the checkpoint to cover the whole file',
      10_000,
      () => (existsSync(checkpointFile) ? readFileSync(checkpointFile, 'utf8') : host.output),
    );
    await until(async () => (await httpStatus(`${base}/health/ready`)) === 200, '/health/ready to answer 200', 10_000, () => host.output);

    // The checkpoint covers the deep line: its dead letter was stored before (the dead-letter file
    // exists from the start, empty, so it is read only now).
    const letters = readFileSync(join(dataDir, 'dlq', 'deep.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(letters).toHaveLength(1);
    const letter = JSON.parse(letters[0]) as { value: { stage: string; plugin: string; error: string; record: { value: { unserialisable: string; preview: string } } } };
    expect(letter.value).toMatchObject({ stage: 'transforms[0]', plugin: 'validate' });
    expect(letter.value.record.value.unserialisable).toContain('nested too deeply');
    expect(letter.value.record.value.preview.length).toBeLessThanOrEqual(4097);
    // Every good row once (mode insert would have refused a second write of a row), none re-written.
    const rows = new Database(db, { readonly: true });
    try {
      expect((rows.prepare('SELECT id FROM good ORDER BY id').all() as Array<{ id: number }>).map((r) => r.id)).toEqual([1, 2, 4, 5, 6]);
    } finally {
      rows.close();
    }
    const status = await pipeline(base, 'deep');
    expect(stage(status, 'sink').counters).toMatchObject({ in: 5, acked: 5, deadLettered: 0 });
    expect(stage(status, 'transforms[0]').counters.deadLettered).toBe(1);
    expect(stage(status, 'source').counters.in).toBe(6);
    expect(await host.stop()).toBe(0);
  }, 60_000);

  it('a sink write that hangs times out: degraded and not ready while the table is locked, then every record arrives', async () => {
    const table = `sluice_stall_${randomBytes(4).toString('hex')}`;
    const count = 400;
    // The test's own reads wait for the lock too: bound them, so that a mistake fails instead of hanging.
    const admin = new pg.Client({ connectionString: DATABASE_URL, statement_timeout: 10_000 });
    const locker = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await locker.connect();
    const rowCount = async () => Number((await admin.query(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0].n);
    try {
      await admin.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, name varchar(16) NOT NULL)`);
      const host = start(
        'hang',
        `
http: { host: 127.0.0.1, port: 0 }
dataDir: ${JSON.stringify(join(dir, 'hang-data'))}
log: { level: info, pretty: false }
pipelines:
  - name: hang
    source: { plugin: generator, config: { count: ${count}, rate: 50, seed: 9, fields: { id: sequence, name: { type: string, length: 8 } } } }
    sink:
      plugin: sql
      writeTimeoutMs: 1000
      config:
        driver: postgres
        url: ${JSON.stringify(DATABASE_URL)}
        table: ${table}
        createTable: false
        key: [id]
        columns: [ { name: id, type: bigint }, { name: name, type: string, length: 16 } ]
    batch: { maxRecords: 20, maxWaitMs: 50 }
    retry: { maxAttempts: 5, initialBackoffMs: 100, maxBackoffMs: 500 }
`,
      );
      const base = await host.url();
      await until(async () => (await rowCount()) > 0, 'the first rows in PostgreSQL', 15_000, () => host.output);
      await until(async () => (await httpStatus(`${base}/health/ready`)) === 200, '/health/ready to answer 200', 10_000, () => host.output);

      // Another session holds the table: the sink's next INSERT waits for ever unless it is bounded.
      // (Counting rows now would wait for the lock as well: the source is paced, so rows remain to come.)
      expect(await rowCount()).toBeLessThan(count);
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
      const degraded = await until(
        async () => {
          const status = await pipeline(base, 'hang');
          return stage(status, 'sink').state === 'degraded' ? status : undefined;
        },
        'the sink stage to turn degraded',
        10_000,
        async () => (await pipeline(base, 'hang')).stages,
      );
      expect(stage(degraded, 'sink').lastError?.message).toMatch(/timed out/);
      expect(degraded.state).toBe('degraded');
      expect(await httpStatus(`${base}/health/ready`)).toBe(503);
      expect(await httpStatus(`${base}/health/live`)).toBe(200);
      expect(host.logLines().some((l) => typeof l.msg === 'string' && l.msg.includes('sink write timed out') && l.level === 50)).toBe(true);

      await locker.query('ROLLBACK');
      await until(async () => (await rowCount()) === count, `all ${count} rows in PostgreSQL`, 30_000, () => host.output);
      await until(async () => stage(await pipeline(base, 'hang'), 'sink').state === 'running', 'the sink stage to run again', 10_000);
      await until(async () => (await httpStatus(`${base}/health/ready`)) === 200, '/health/ready to answer 200 again', 10_000);
      const ids = (await admin.query(`SELECT id FROM ${table} ORDER BY id`)).rows.map((r: { id: string }) => Number(r.id));
      expect(ids).toEqual(Array.from({ length: count }, (_, i) => i));
      expect(host.logLines().some((l) => l.msg === 'sink recovered')).toBe(true);
      expect(await host.stop()).toBe(0);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await admin.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
      await locker.end();
      await admin.end();
    }
  }, 60_000);
});
