// kill -9 of the built `sluice run` CLI mid-stream, five times, restarting it each time: every
// record still arrives, and what a restart delivers again is bounded by the in-flight limit. A
// record stays counted in flight until the checkpoint covering it is written, so a crash re-delivers
// at most `maxInFlight` records plus the one source read that may exceed it.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve('dist/apps/sluice/src/main.js');
const COUNT = 200_000;
const MAX_IN_FLIGHT = 2000;
/** The generator's `batchSize` (its default, set explicitly below): the most one read returns. */
const READ_BATCH = 1000;
const KILLS = 5;

function config(dir: string, out: string): string {
  return `
# The HTTP server also keeps the process up once the source has ended, until SIGTERM.
http: { host: 127.0.0.1, port: 0 }
dataDir: ${JSON.stringify(join(dir, 'data'))}
log: { level: warn, pretty: false }
pipelines:
  - name: numbers
    source: { plugin: generator, config: { count: ${COUNT}, rate: 0, batchSize: ${READ_BATCH}, fields: { id: sequence } } }
    sink: { plugin: file, config: { path: ${JSON.stringify(out)}, format: jsonl, write: value, fsync: true } }
    batch: { maxRecords: 200, maxWaitMs: 20 }
    maxInFlight: ${MAX_IN_FLIGHT}
`;
}

/** The ids in `file` from byte `from` to byte `to`. A line torn by kill -9 is not JSON: only the complete `{"id":n}` in it count. */
function idsBetween(file: string, from: number, to: number): number[] {
  if (to <= from) return [];
  const buffer = Buffer.alloc(to - from);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, from);
  } finally {
    closeSync(fd);
  }
  const ids: number[] = [];
  for (const line of buffer.toString('utf8').split('\n')) {
    if (line === '') continue;
    try {
      ids.push((JSON.parse(line) as { id: number }).id);
    } catch {
      for (const match of line.matchAll(/\{"id":(\d+)\}/g)) ids.push(Number(match[1]));
    }
  }
  return ids;
}

const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);

function start(file: string): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, [CLI, 'run', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SLUICE_TOKEN: '' } });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
  return { child, exited, output: () => output };
}

async function until(condition: () => boolean, what: string, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${describe()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('kill -9 mid-stream, five times', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-e2e-kill-'));
  const file = join(dir, 'sluice.yaml');
  const out = join(dir, 'numbers.jsonl');

  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
    writeFileSync(file, config(dir, out));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`re-delivers at most maxInFlight + one read batch (${MAX_IN_FLIGHT} + ${READ_BATCH}) per restart and loses nothing`, async () => {
    /** Per run: the file's size and highest id when it started. */
    const runs: Array<{ from: number; highest: number }> = [];
    let highest = -1;
    let host = start(file);
    runs.push({ from: 0, highest });
    for (let kill = 0; kill < KILLS; kill++) {
      const run = runs[runs.length - 1];
      // Kill at a random point of this run's share of the stream, once it wrote past what the
      // previous runs had (so that its re-delivery is complete): somewhere in the next ~1/7 of it.
      const target = Math.max(run.highest, Math.floor((COUNT * kill) / (KILLS + 2))) + 2 * MAX_IN_FLIGHT + Math.floor(Math.random() * (COUNT / (KILLS + 2)));
      let seen = run.from;
      let newest = run.highest;
      await until(
        () => {
          const now = size(out);
          const ids = idsBetween(out, seen, now);
          seen = now;
          for (const id of ids) if (id > newest) newest = id;
          return newest >= target;
        },
        `id ${target} in the output (run ${kill + 1})`,
        30_000,
        () => host.output().slice(-2000),
      );
      host.child.kill('SIGKILL');
      const killed = await host.exited;
      expect(killed.signal).toBe('SIGKILL');
      // The process is gone: what the file holds now is what the next run starts from.
      const from = size(out);
      for (const id of idsBetween(out, seen, from)) if (id > newest) newest = id;
      highest = Math.max(highest, newest);
      expect(highest).toBeLessThan(COUNT - 1);
      runs.push({ from, highest });
      host = start(file);
    }
    let seen = runs[runs.length - 1].from;
    let done = false;
    await until(
      () => {
        const now = size(out);
        done ||= idsBetween(out, seen, now).includes(COUNT - 1);
        seen = now;
        return done;
      },
      `id ${COUNT - 1} in the output`,
      40_000,
      () => host.output().slice(-2000),
    );
    host.child.kill('SIGTERM');
    const exit = await host.exited;
    if (exit.code !== 0) throw new Error(`the last run ended with ${JSON.stringify(exit)} after SIGTERM; its output: ${host.output().slice(-2000)}`);

    // Re-delivery of each restart: the records of the new run whose id the file already held.
    const end = size(out);
    const redelivered = runs.slice(1).map((run, i) => {
      const to = i + 2 < runs.length ? runs[i + 2].from : end;
      return idsBetween(out, run.from, to).filter((id) => id <= run.highest).length;
    });
    console.log(`kill -9 re-delivery per restart (bound ${MAX_IN_FLIGHT + READ_BATCH}): ${redelivered.join(', ')}; killed after ids ${runs.slice(1).map((r) => r.highest).join(', ')}`);
    for (const count of redelivered) expect(count).toBeLessThanOrEqual(MAX_IN_FLIGHT + READ_BATCH);

    // Nothing lost: every id is in the file.
    const present = new Uint8Array(COUNT);
    for (const id of idsBetween(out, 0, end)) present[id] = 1;
    const missing = [...present.keys()].filter((id) => present[id] === 0);
    expect(missing.slice(0, 20)).toEqual([]);
  }, 120_000);
});
