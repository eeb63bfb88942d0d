// Keyed state under kills, on the real Kafka and Cassandra: three hosts run one config with an
// event-time windowed aggregate (repartitioned by sensor, state in the changelog), and one host is
// killed with SIGKILL (and started again) at a fixed interval, in turn. Every event is stored raw
// too; the aggregate table must equal, in every column but updated_at, the aggregates computed
// from the raw events — what one host computes.
//
// What keeps the aggregates exact across a kill: the aggregate's state is written with the channel
// offset it covers before each batch is acknowledged (replays of the repartition channel are
// skipped), and each event counts once per window by its id (`distinct`), so the events a killed
// host's source or channels deliver again replace themselves. No Kafka transactions.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { allRows, brokers, cassandraClient, contactPoints, FULL, localDataCenter, ready, report, until, writeConfig, type RecipeHost } from './fault-kit.js';
import { startRecipe } from '../e2e/recipes/recipe-host.js';

jest.setTimeout(FULL ? 3_600_000 : 600_000);

const WINDOW_MS = 5_000;
const SENSORS = ['s1', 's2', 's3', 's4', 's5', 's6'];

function pipelineYaml(run: string, keyspace: string, count: number, rate: number): string {
  const cassandra = `
            contactPoints: [${contactPoints.join(', ')}]
            localDataCenter: ${localDataCenter}
            keyspace: ${keyspace}
            createKeyspace: { strategy: SimpleStrategy, replicationFactor: 1 }`;
  return `
http: { host: 127.0.0.1, port: 3000 }
transport:
  kind: kafka
  brokers: [${brokers}]
  clientId: keyed-${run}
  groupPrefix: keyed-${run}
  partitions: 3
  sessionTimeoutMs: 10000
dataDir: \${SLUICE_DATA_DIR}
log: { level: warn, pretty: false }
pipelines:
  - name: k${run}
    maxInFlight: 2000
    source:
      plugin: generator
      config:
        count: ${count}
        rate: ${rate}
        seed: 9
        keyField: id
        fields:
          id: sequence
          sensor: { type: pick, values: [${SENSORS.join(', ')}] }
          value: { type: int, min: 0, max: 1000 }
          at: { type: timestamp, from: "2025-01-01T00:00:00Z", stepMs: 5, format: epoch }
    transforms:
      - plugin: map
        config: { expression: '$', timestamp: at }
    batch: { maxRecords: 500, maxWaitMs: 100 }
    routes:
      - name: raw
        sink:
          plugin: cassandra
          config:${cassandra}
            table: events
            columns: [ { name: id, type: bigint }, { name: sensor, type: text }, { name: value, type: int }, { name: at, type: bigint } ]
            partitionKey: [id]
      - name: stats
        transforms:
          - plugin: aggregate
            config:
              groupBy: { sensor: sensor }
              distinct: id
              window: { sizeMs: ${WINDOW_MS}, allowedLatenessMs: 3600000 }
              metrics: { events: { fn: count }, total: { fn: sum, of: value }, low: { fn: min, of: value }, high: { fn: max, of: value } }
        sink:
          plugin: cassandra
          config:${cassandra}
            table: stats
            columns:
              - { name: sensor, type: text }
              - { name: window_start, type: timestamp }
              - { name: window_end, type: timestamp }
              - { name: events, type: int }
              - { name: total, type: bigint }
              - { name: low, type: int }
              - { name: high, type: int }
              - { name: updated_at, type: timestamp }
            partitionKey: [sensor]
            clusteringKey: [ { column: window_start } ]
`;
}

interface Stat {
  events: number;
  total: number;
  low: number;
  high: number;
}

describe('fault suite: keyed state on three hosts killed in turn', () => {
  const run = randomUUID().replace(/-/g, '').slice(0, 8);
  const keyspace = `keyed_${run}`;
  const dir = mkdtempSync(join(tmpdir(), 'sluice-keyed-faults-'));
  const db = cassandraClient();
  const hosts = new Map<string, RecipeHost>();

  beforeAll(() => db.connect());
  afterAll(async () => {
    for (const host of hosts.values()) if (host.child.exitCode === null) host.child.kill('SIGKILL');
    await db.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
    await db.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the windowed aggregates equal to the single host’s, with no event lost', async () => {
    const count = FULL ? 200_000 : 12_000;
    const rate = FULL ? 1_500 : 400;
    const killEveryMs = FULL ? 30_000 : 8_000;
    const kills = FULL ? 4 : 3;
    const file = writeConfig(dir, run, pipelineYaml(run, keyspace, count, rate));
    const start = async (name: string) => {
      const host = await startRecipe(file, { KAFKA_BROKERS: brokers, SLUICE_DATA_DIR: join(dir, name) }, 'keyed');
      hosts.set(name, host);
      return host;
    };
    const began = Date.now();
    const names = ['a', 'b', 'c'];
    for (const name of names) await start(name);
    await Promise.all([...hosts.values()].map((host) => ready(host)));

    // One host killed with SIGKILL every interval, in turn, and started again at once.
    const recoveries: number[] = [];
    for (let i = 0; i < kills; i++) {
      await new Promise((resolve) => setTimeout(resolve, killEveryMs));
      const name = names[i % names.length]!;
      const victim = hosts.get(name)!;
      victim.child.kill('SIGKILL');
      await victim.exited;
      const at = Date.now();
      await ready(await start(name));
      recoveries.push(Math.round((Date.now() - at) / 100) / 10);
    }

    // Every event stored raw: 0 loss.
    const events = await until(
      async () => {
        const rows = await allRows(db, `SELECT id, sensor, value, at FROM ${keyspace}.events`);
        return rows.length === count ? rows : undefined;
      },
      `${count} raw events`,
      FULL ? 1_800_000 : 240_000,
    ).catch(async () => allRows(db, `SELECT id, sensor, value, at FROM ${keyspace}.events`));
    const missing = count - events.length;

    // What one host computes: per sensor and window, over the events.
    const expected = new Map<string, Stat>();
    for (const row of events) {
      const window = Math.floor(Number(row.at) / WINDOW_MS) * WINDOW_MS;
      const key = `${row.sensor}|${window}`;
      const value = Number(row.value);
      const stat = expected.get(key) ?? { events: 0, total: 0, low: Number.POSITIVE_INFINITY, high: Number.NEGATIVE_INFINITY };
      expected.set(key, { events: stat.events + 1, total: stat.total + value, low: Math.min(stat.low, value), high: Math.max(stat.high, value) });
    }
    const stored = async () => {
      const rows = await allRows(db, `SELECT sensor, window_start, window_end, events, total, low, high FROM ${keyspace}.stats`);
      return new Map(
        rows.map((row) => {
          const start = (row.window_start as Date).getTime();
          expect((row.window_end as Date).getTime()).toBe(start + WINDOW_MS);
          return [`${row.sensor}|${start}`, { events: row.events as number, total: Number(row.total), low: row.low as number, high: row.high as number }];
        }),
      );
    };
    const sameAsOneHost = async () => {
      const got = await stored();
      return got.size === expected.size && [...expected].every(([key, stat]) => JSON.stringify(got.get(key)) === JSON.stringify(stat));
    };
    const exact = await until(sameAsOneHost, 'the aggregates of every window', 120_000).catch(() => false);
    const got = await stored();
    const wrong = [...expected].filter(([key, stat]) => JSON.stringify(got.get(key)) !== JSON.stringify(stat)).length;
    report('keyed-state-kills', {
      records: count,
      missing,
      hosts: 3,
      kills,
      aggregateRows: expected.size,
      rowsDifferent: wrong,
      restartSeconds: recoveries.join('/'),
      seconds: Math.round((Date.now() - began) / 1000),
    });
    expect(missing).toBe(0);
    expect({ exact, wrong }).toEqual({ exact: true, wrong: 0 });
    for (const host of hosts.values()) expect(await host.stop()).toBe(0);
  });
});
