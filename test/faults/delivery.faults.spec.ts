// Faults against delivery, on the real Kafka and Cassandra: generator → Kafka → map → Cassandra on
// two hosts, while the broker restarts twice and a host is killed with SIGKILL (0 missing rows,
// duplicates counted and bounded), a clean SIGTERM under load (0 missing, 0 duplicates), and
// Cassandra stopped mid-stream (/health/ready 503 within the write timeout, then 0 loss).
// Duplicates are counted on an audit route: every record stored also goes to a Kafka topic, so
// the topic holds one message per delivery (the Cassandra upserts hide them).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import {
  brokers,
  cassandraClient,
  deliveriesOf,
  contactPoints,
  FULL,
  kafkaAdmin,
  localDataCenter,
  ready,
  report,
  restartService,
  startService,
  stopService,
  startHost,
  storedIds,
  topicMessages,
  until,
  writeConfig,
  type RecipeHost,
} from './fault-kit.js';
import { startRecipe } from '../e2e/recipes/recipe-host.js';

jest.setTimeout(FULL ? 3_600_000 : 600_000);

/** In flight per hop (the pipeline's and each channel consumer's): what one fault may deliver again. */
const IN_FLIGHT = 2000;

function pipelineYaml(run: string, keyspace: string, count: number, rate: number): string {
  return `
http: { host: 127.0.0.1, port: 3000 }
transport:
  kind: kafka
  brokers: [${brokers}]
  clientId: faults-${run}
  groupPrefix: faults-${run}
  partitions: 3
  maxInFlight: ${IN_FLIGHT}
  sessionTimeoutMs: 10000
dataDir: \${SLUICE_DATA_DIR}
log: { level: "\${SLUICE_FAULTS_LOG_LEVEL:-warn}", pretty: false }
pipelines:
  - name: f${run}
    maxInFlight: ${IN_FLIGHT}
    source:
      plugin: generator
      config:
        count: ${count}
        rate: ${rate}
        seed: 5
        keyField: id
        fields: { id: sequence, amount: { type: int, min: 1, max: 1000 } }
    transforms:
      - plugin: map
        config: { expression: '{ "id": id, "amount": amount, "twice": amount * 2 }' }
    batch: { maxRecords: 500, maxWaitMs: 20 }
    routes:
      - name: store
        sink:
          plugin: cassandra
          writeTimeoutMs: 5000
          config:
            contactPoints: [${contactPoints.join(', ')}]
            localDataCenter: ${localDataCenter}
            keyspace: ${keyspace}
            createKeyspace: { strategy: SimpleStrategy, replicationFactor: 1 }
            table: rows
            columns: [ { name: id, type: bigint }, { name: amount, type: int }, { name: twice, type: int } ]
            partitionKey: [id]
      - name: audit
        sink:
          plugin: kafka
          config:
            brokers: [${brokers}]
            topic: f${run}.audit
            timestamp: now
            createTopic: { partitions: 3, replicationFactor: 1 }
`;
}

describe('fault suite: delivery over Kafka into Cassandra', () => {
  const admin = kafkaAdmin();
  let db = cassandraClient();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-faults-'));
  const hosts: RecipeHost[] = [];
  const keyspaces: string[] = [];

  beforeAll(async () => {
    await admin.connect();
    await db.connect();
  });

  afterAll(async () => {
    for (const host of hosts) if (host.child.exitCode === null) host.child.kill('SIGKILL');
    for (const keyspace of keyspaces) await db.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
    await db.shutdown();
    await admin.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A scenario's config and a way to start hosts of it, each with its own data dir. */
  function scenario(count: number, rate: number) {
    const run = randomUUID().replace(/-/g, '').slice(0, 8);
    const keyspace = `faults_${run}`;
    keyspaces.push(keyspace);
    const file = writeConfig(dir, run, pipelineYaml(run, keyspace, count, rate));
    const start = async (name: string) => {
      const host = await startRecipe(file, { KAFKA_BROKERS: brokers, SLUICE_DATA_DIR: join(dir, `${run}-${name}`) }, 'faults');
      hosts.push(host);
      return host;
    };
    /** Waits until every record is stored; returns missing (0) and the deliveries beyond one per record. */
    const settle = async (timeoutMs: number) => {
      let stored = 0;
      await until(
        async () => {
          stored = (await storedIds(db, `${keyspace}.rows`)).size;
          return stored === count;
        },
        `${count} rows stored`,
        timeoutMs,
        hosts.at(-1),
      ).catch(() => undefined);
      const delivered = await until(async () => topicMessages(admin, `f${run}.audit`), 'the audit topic', 60_000);
      return { missing: count - stored, duplicates: delivered - count };
    };
    return { run, keyspace, start, settle };
  }

  /** The host whose (not splittable) generator runs now: the leader. */
  async function sourceLeader(running: readonly RecipeHost[]): Promise<RecipeHost> {
    return until(
      async () => {
        for (const host of running) {
          if (host.child.exitCode !== null) continue;
          const { pipelines } = (await host.call('GET', '/api/pipelines')).body as { pipelines: Array<{ stages: Array<{ stage: string; state: string }> }> };
          if (pipelines[0]?.stages.find((s) => s.stage === 'source')?.state === 'running') return host;
        }
        return undefined;
      },
      'the host running the source',
      60_000,
    );
  }

  /** Seconds until the audit topic grew by `by` messages past what it held at `from` (progress again). */
  async function recoveredAfter(run: string, from: number, startedAt: number, by = 500): Promise<number> {
    await until(async () => (await topicMessages(admin, `f${run}.audit`)) >= from + by, 'progress after the fault', 180_000);
    return Math.round((Date.now() - startedAt) / 100) / 10;
  }

  it('loses nothing while the broker restarts twice and a host is killed (SIGKILL) and restarted', async () => {
    const count = FULL ? 1_000_000 : 30_000;
    const rate = FULL ? 8_000 : 2_000;
    const { run, start, settle } = scenario(count, rate);
    const began = Date.now();
    const a = await start('a');
    const b = await start('b');
    await Promise.all([ready(a), ready(b)]);
    const pace = (share: number) => until(async () => (await topicMessages(admin, `f${run}.audit`).catch(() => 0)) >= count * share, `${share * 100}% delivered`, 300_000);

    await pace(0.15);
    let at = Date.now();
    let before = await topicMessages(admin, `f${run}.audit`);
    await restartService('kafka');
    const broker1 = await recoveredAfter(run, before, at);

    await pace(0.45);
    const leader = await sourceLeader([a, b]);
    at = Date.now();
    before = await topicMessages(admin, `f${run}.audit`);
    leader.child.kill('SIGKILL');
    await leader.exited;
    const restarted = await start(leader === a ? 'a' : 'b');
    const kill = await recoveredAfter(run, before, at);

    await pace(0.7);
    at = Date.now();
    before = await topicMessages(admin, `f${run}.audit`);
    await restartService('kafka');
    const broker2 = await recoveredAfter(run, before, at);

    const { missing, duplicates } = await settle(FULL ? 1_800_000 : 240_000);
    const bound = 3 * 3 * IN_FLIGHT;
    report('broker-restarts-and-kill', {
      records: count,
      missing,
      duplicates,
      duplicateBound: bound,
      brokerRestart1RecoverySeconds: broker1,
      killRecoverySeconds: kill,
      brokerRestart2RecoverySeconds: broker2,
      seconds: Math.round((Date.now() - began) / 1000),
    });
    expect(missing).toBe(0);
    expect(duplicates).toBeGreaterThanOrEqual(0);
    expect(duplicates).toBeLessThanOrEqual(bound);
    for (const host of [restarted, leader === a ? b : a]) expect(await host.stop()).toBe(0);
  });

  it('loses nothing and delivers nothing twice when a host is stopped (SIGTERM) under load', async () => {
    const count = FULL ? 200_000 : 20_000;
    const rate = FULL ? 8_000 : 2_000;
    const { run, start, settle } = scenario(count, rate);
    const began = Date.now();
    const a = await start('a');
    const b = await start('b');
    await Promise.all([ready(a), ready(b)]);
    await until(async () => (await topicMessages(admin, `f${run}.audit`).catch(() => 0)) >= count * 0.4, '40% delivered', 300_000);
    // The host that reads the source: its records in flight drain, its checkpoint is shared, the other takes over.
    const leader = await sourceLeader([a, b]);
    const at = Date.now();
    const before = await topicMessages(admin, `f${run}.audit`);
    expect(await leader.stop()).toBe(0);
    const takeover = await recoveredAfter(run, before, at);
    const { missing, duplicates } = await settle(FULL ? 900_000 : 180_000);
    // Deliveries beyond the first of a record, made after the SIGTERM: the stop's own. (Earlier ones
    // come from the rebalance when the second host joined: at-least-once, counted apart.)
    const deliveries = await deliveriesOf(`f${run}.audit`);
    const afterStop = [...deliveries.values()].reduce((n, times) => n + times.slice(1).filter((t) => t >= at).length, 0);
    report('sigterm-under-load', { records: count, missing, duplicates: afterStop, duplicatesBeforeTheStop: duplicates - afterStop, takeoverSeconds: takeover, seconds: Math.round((Date.now() - began) / 1000) });
    if (afterStop !== 0) {
      const other = leader === a ? b : a;
      process.stdout.write(`--- stopped host (SIGTERM at ${new Date(at).toISOString()}) ---\n${leader.output().slice(-12000)}\n--- the other host ---\n${other.output().slice(-12000)}\n`);
    }
    expect({ missing, duplicatesAfterTheStop: afterStop }).toEqual({ missing: 0, duplicatesAfterTheStop: 0 });
    expect(await (leader === a ? b : a).stop()).toBe(0);
  });

  it('answers 503 on /health/ready within the write timeout while Cassandra is down, then resumes with 0 loss', async () => {
    const count = FULL ? 200_000 : 12_000;
    const rate = FULL ? 5_000 : 1_000;
    const downMs = FULL ? 30_000 : 15_000;
    const writeTimeoutSeconds = 5;
    const { run, start, settle } = scenario(count, rate);
    const began = Date.now();
    const host = await start('a');
    await ready(host);
    await until(async () => (await topicMessages(admin, `f${run}.audit`).catch(() => 0)) >= count * 0.25, '25% delivered', 300_000);

    const stoppedAt = Date.now();
    await stopService('cassandra');
    await until(async () => (await host.call('GET', '/health/ready')).status === 503, '/health/ready 503', 60_000, host);
    const unhealthyAfter = (Date.now() - stoppedAt) / 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, stoppedAt + downMs - Date.now())));
    await startService('cassandra');
    const upAt = Date.now();
    await until(async () => (await host.call('GET', '/health/ready')).status === 200, '/health/ready 200 again', 180_000, host);
    const readyAfter = (Date.now() - upAt) / 1000;
    // The test's own client reconnects on its own schedule: a fresh one counts the rows.
    await db.shutdown().catch(() => undefined);
    db = cassandraClient();
    await db.connect();
    const { missing, duplicates } = await settle(FULL ? 900_000 : 180_000);
    report('cassandra-outage', {
      records: count,
      missing,
      duplicates,
      downSeconds: downMs / 1000,
      unhealthyAfterSeconds: Math.round(unhealthyAfter * 10) / 10,
      readyAfterRestartSeconds: Math.round(readyAfter * 10) / 10,
      seconds: Math.round((Date.now() - began) / 1000),
    });
    expect(missing).toBe(0);
    expect(unhealthyAfter).toBeLessThanOrEqual(writeTimeoutSeconds + 5);
    expect(await host.stop()).toBe(0);
  });
});
