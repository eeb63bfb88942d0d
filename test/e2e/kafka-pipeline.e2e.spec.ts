// Pipelines over the Kafka transport against the real broker and the real PostgreSQL: one host
// in-process; two host processes sharing the work with one killed mid-stream; a broker restart.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jest } from '@jest/globals';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import request from 'supertest';
import { createLogger, loadConfig } from '#runtime';
import { createHost } from '../../apps/sluice/src/host/create-host.js';

jest.setTimeout(240_000);

const CLI = resolve('dist/apps/sluice/src/main.js');
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const admin = new Kafka({ brokers: brokers.split(','), clientId: 'sluice-e2e-admin', logLevel: logLevel.NOTHING }).admin();
const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A config: generator → validate → map → PostgreSQL upsert, over Kafka. */
function pipelineYaml(run: string, table: string, count: number, rate: number, dataDir: string, idRule = ''): string {
  return `
http: { enabled: false }
transport:
  kind: kafka
  brokers: [${brokers}]
  clientId: e2e-${run}
  groupPrefix: e2e-${run}
dataDir: ${dataDir}
log: { level: warn, pretty: false }
pipelines:
  - name: p${run}
    channels: { partitions: 3, retentionMs: 86400000 }
    source:
      plugin: generator
      config:
        count: ${count}
        rate: ${rate}
        seed: 11
        keyField: id
        fields: { id: sequence, amount: { type: float, min: 1, max: 100 } }
    transforms:
      - plugin: validate
        config:
          schema: { type: object, required: [id, amount], properties: { id: { type: integer${idRule} }, amount: { type: number } } }
      - plugin: map
        config:
          expression: '{ "id": id, "cents": $round(amount * 100) }'
    sink:
      plugin: sql
      config:
        driver: postgres
        url: ${databaseUrl}
        table: ${table}
        key: [id]
        columns: [ { name: id, type: bigint }, { name: cents, type: integer } ]
    batch: { maxRecords: 500, maxWaitMs: 20 }
`;
}

const ids = async (table: string): Promise<number[]> => {
  try {
    const result = await db.query(`SELECT id FROM ${table} ORDER BY id`);
    return result.rows.map((r: { id: string }) => Number(r.id));
  } catch {
    return [];
  }
};
const all = (n: number) => Array.from({ length: n }, (_, i) => i);

function host(file: string): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, [CLI, 'run', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KAFKA_BROKERS: brokers } });
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  return { child, exited: new Promise((r) => child.on('exit', (code) => r(code))), output: () => output };
}

describe('pipelines over Kafka into PostgreSQL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-e2e-kafka-'));
  const tables: string[] = [];
  const runs: string[] = [];
  const newRun = () => {
    const run = randomUUID().slice(0, 8);
    runs.push(run);
    const table = `e2e_kafka_${run}`;
    tables.push(table);
    return { run, table };
  };

  beforeAll(() => admin.connect());
  afterAll(async () => {
    for (const table of tables) await db.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await db.end();
    const topics = (await admin.listTopics()).filter((t) => runs.some((r) => t.startsWith(`p${r}.`)));
    await admin.deleteGroups(runs.map((r) => `dlq-${r}`)).catch(() => undefined);
    if (topics.length) await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs its plan over Kafka: one topic after the source, the stateless transforms fused with the sink; stores every record', async () => {
    const { run, table } = newRun();
    const file = join(dir, `${run}.yaml`);
    writeFileSync(file, pipelineYaml(run, table, 3000, 0, join(dir, run)));
    const config = await loadConfig(file, { env: { ...process.env, KAFKA_BROKERS: brokers } });
    const app = await createHost(config, createLogger({ level: 'warn', pretty: false }), { processMetrics: false });
    try {
      await until(async () => (await ids(table)).length === 3000, '3000 rows');
      expect(await ids(table)).toEqual(all(3000));
      // The plan: one topic after the source (the scale-out boundary); validate and map are
      // stateless, so they run fused with the sink, with no topic between them.
      const metadata = await admin.fetchTopicMetadata({ topics: [`p${run}.stage-1`] });
      expect(metadata.topics.map((t) => t.partitions.length)).toEqual([3]);
      const topics = await admin.listTopics();
      expect(topics.filter((t) => t.startsWith(`p${run}.stage-`))).toEqual([`p${run}.stage-1`]);
      expect(app.runtime.pipeline(`p${run}`)?.plan.channels.map((c) => c.reason)).toEqual(['scale-out']);
      const status = app.runtime.status();
      expect(status.transport).toMatchObject({ connected: true, details: { kind: 'kafka' } });
      expect(app.runtime.ready).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('shares the work between two hosts; killing one mid-stream loses nothing', async () => {
    const { run, table } = newRun();
    const file = join(dir, `${run}.yaml`);
    writeFileSync(file, pipelineYaml(run, table, 12_000, 1500, join(dir, run)));
    const a = host(file);
    const b = host(file);
    await until(async () => (await ids(table)).length > 1500, 'records from both hosts');
    a.child.kill('SIGKILL');
    await a.exited;
    await until(async () => (await ids(table)).length === 12_000, 'every record after the crash');
    expect(await ids(table)).toEqual(all(12_000));
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  });

  it('dead-letters poison records to the <pipeline>.dlq topic with error headers, without stalling', async () => {
    const { run, table } = newRun();
    const file = join(dir, `${run}.yaml`);
    // ids that are multiples of 97 fail validation for good
    writeFileSync(file, pipelineYaml(run, table, 2000, 0, join(dir, run), ', not: { multipleOf: 97 }'));
    const config = await loadConfig(file, { env: { ...process.env, KAFKA_BROKERS: brokers } });
    expect(config.pipelines[0].deadLetter).toMatchObject({ plugin: 'kafka', config: { topic: `p${run}.dlq` } });
    const poison = all(2000).filter((i) => i % 97 === 0);
    const app = await createHost(config, createLogger({ level: 'error', pretty: false }), { processMetrics: false });
    const consumer = new Kafka({ brokers: brokers.split(','), clientId: 'sluice-e2e-dlq', logLevel: logLevel.NOTHING }).consumer({ groupId: `dlq-${run}` });
    try {
      await until(async () => (await ids(table)).length === 2000 - poison.length, 'the good records');
      expect(await ids(table)).toEqual(all(2000).filter((i) => i % 97 !== 0));
      const letters: Array<{ headers: Record<string, string>; value: { error: string; record: { value: { id: number } } } }> = [];
      await consumer.connect();
      await consumer.subscribe({ topic: `p${run}.dlq`, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
          letters.push({ headers, value: JSON.parse(String(message.value)) });
        },
      });
      await until(() => letters.length >= poison.length, 'the dead letters');
      expect(letters.map((l) => l.value.record.value.id).sort((a, b) => a - b)).toEqual(poison);
      expect(letters[0].headers).toMatchObject({ 'sluice.dlq.stage': 'transforms[0]', 'sluice.dlq.plugin': 'validate', 'sluice.dlq.attempts': '1' });
      expect(letters[0].headers['sluice.dlq.error']).toMatch(/\/id: must NOT be valid/);
    } finally {
      await consumer.disconnect();
      await app.close();
    }
  });

  it('survives a broker restart mid-stream and resumes from the committed offsets', async () => {
    const { run, table } = newRun();
    const file = join(dir, `${run}.yaml`);
    writeFileSync(file, pipelineYaml(run, table, 8000, 1000, join(dir, run)));
    const h = host(file);
    await until(async () => (await ids(table)).length > 1000, 'records before the restart');
    execFileSync('bash', ['services/services.sh', 'down', 'kafka'], { stdio: 'ignore' });
    // The broker really went away (a harness that did not start it could not stop it).
    await expect(admin.describeCluster()).rejects.toBeDefined();
    const during = (await ids(table)).length;
    expect(during).toBeLessThan(8000);
    execFileSync('bash', ['services/services.sh', 'up', 'kafka'], { stdio: 'ignore' });
    try {
      await until(async () => (await ids(table)).length === 8000, 'every record after the restart');
    } catch (error) {
      process.stderr.write(`host output (last 6000 chars):\n${h.output().slice(-6000)}\n`);
      throw error;
    }
    expect(await ids(table)).toEqual(all(8000));
    h.child.kill('SIGTERM');
    expect(await h.exited).toBe(0);
  });
});
