// Scheduled jobs over the Kafka transport with three host processes on one config: each tick runs
// on one host only (the leader of the `<groupPrefix>.leader` consumer group), and another host takes
// over when the leader is killed with SIGKILL. The job triggers an http source that polls this
// test's server, which records which host polled.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jest } from '@jest/globals';
import { Kafka, logLevel } from 'kafkajs';

jest.setTimeout(240_000);

const CLI = resolve('dist/apps/sluice/src/main.js');
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const SESSION_TIMEOUT_MS = 6000;
const INTERVAL_MS = 1000;

async function until(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('scheduled jobs on three hosts over Kafka', () => {
  const run = randomUUID().slice(0, 8);
  const dir = mkdtempSync(join(tmpdir(), 'sluice-e2e-jobs-'));
  const polls: Array<{ host: string; at: number }> = [];
  const hosts = new Map<string, { child: ChildProcess; output: () => string }>();
  let server: Server;
  const admin = new Kafka({ brokers: brokers.split(','), clientId: 'sluice-e2e-admin', logLevel: logLevel.NOTHING }).admin();

  beforeAll(async () => {
    server = createServer((req, res) => {
      polls.push({ host: String(req.headers['x-host']), at: Date.now() });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify([{ n: polls.length }]));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    writeFileSync(
      join(dir, 'sluice.yaml'),
      `
http: { enabled: false }
transport:
  kind: kafka
  brokers: [${brokers}]
  clientId: e2e-jobs-${run}
  groupPrefix: e2e-jobs-${run}
  sessionTimeoutMs: ${SESSION_TIMEOUT_MS}
dataDir: \${HOST_DATA}
log: { level: warn, pretty: false }
pipelines:
  - name: poll${run}
    source:
      plugin: http
      config:
        url: http://127.0.0.1:${port}/items
        headers: { x-host: "\${HOST_NAME}" }
        trigger: { polls: 1 }
    sink:
      plugin: file
      config: { path: "\${HOST_DATA}/out.jsonl" }
jobs:
  - name: poll
    intervalMs: ${INTERVAL_MS}
    trigger: { pipeline: poll${run} }
`,
    );
  });

  afterAll(async () => {
    for (const { child } of hosts.values()) child.kill('SIGKILL');
    server.close();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.includes(run));
    if (topics.length) await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  function start(name: string): void {
    let output = '';
    const env = { ...process.env, KAFKA_BROKERS: brokers, HOST_NAME: name, HOST_DATA: join(dir, name) };
    const child = spawn(process.execPath, [CLI, 'run', join(dir, 'sluice.yaml')], { stdio: ['ignore', 'pipe', 'pipe'], env });
    child.stdout!.on('data', (c) => (output += c));
    child.stderr!.on('data', (c) => (output += c));
    hosts.set(name, { child, output: () => output });
  }

  /** The polls made within the last `ms` milliseconds. */
  const since = (from: number) => polls.filter((p) => p.at >= from);

  it('runs each tick on one host, and on another one once the leader is killed', async () => {
    for (const name of ['a', 'b', 'c']) start(name);
    // Three members join (each join is a rebalance); then one host polls, once per interval.
    await until(() => polls.length >= 3, 'the first polls', 90_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${[...hosts].map(([name, h]) => `--- ${name}\n${h.output().slice(-3000)}`).join('\n')}`);
    });
    await sleep(2 * SESSION_TIMEOUT_MS);
    const windowStart = Date.now();
    await sleep(8 * INTERVAL_MS);
    const window = since(windowStart);
    const diagnostics = () => [...hosts].map(([name, h]) => `--- ${name}\n${h.output().slice(-2000)}`).join('\n');
    // One poll per tick: about 8, where three hosts running the job would make about 24.
    expect({ polls: window.length, hosts: [...new Set(window.map((p) => p.host))] }).toEqual({ polls: expect.any(Number), hosts: [expect.any(String)] });
    expect(window.length).toBeGreaterThanOrEqual(6);
    expect(window.length).toBeLessThanOrEqual(10);
    const leader = window[0]!.host;

    hosts.get(leader)!.child.kill('SIGKILL');
    const killedAt = Date.now();
    await until(() => since(killedAt).some((p) => p.host !== leader), `another host to poll\n${diagnostics()}`, 4 * SESSION_TIMEOUT_MS);
    const tookOverAfter = since(killedAt).find((p) => p.host !== leader)!.at - killedAt;
    expect(tookOverAfter).toBeLessThan(2 * SESSION_TIMEOUT_MS + 5000);
    const after = Date.now();
    await sleep(5 * INTERVAL_MS);
    const later = since(after);
    expect(new Set(later.map((p) => p.host)).size).toBe(1);
    expect(later.length).toBeLessThanOrEqual(7);
  });
});
