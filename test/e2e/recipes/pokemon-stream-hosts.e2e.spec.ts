// Reference pipeline 4 on three hosts: config/pipelines/pokemon-stream.yaml run three times with
// SLUICE_TRANSPORT=kafka against the real Kafka and Cassandra. The hosts share the topic's
// partitions; the stats aggregate is repartitioned by stat, each stat counted on one host, its state
// in a changelog topic. The Cassandra rows must be the single host's, and stay exact when a host
// leaves and another takes its stats over (restored from the changelog, not started empty).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import cassandra from 'cassandra-driver';
import { Kafka, logLevel } from 'kafkajs';
import type { FixtureServer } from '../../fixtures/http/fixture-server.js';
import { startRecipe, until, type RecipeHost } from './recipe-host.js';
import { cleanName, expectedStats, IDS, pokemonBody, servePokeApi } from './pokeapi-fixture.js';

jest.setTimeout(300_000);

const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const contactPoints = (process.env.CASSANDRA_CONTACT_POINTS || '127.0.0.1:9042').split(',');
const localDataCenter = process.env.CASSANDRA_LOCAL_DC || 'datacenter1';
/** The recipe's channel topics (named after its pipelines, the same on every run: cleared before and after). */
const CHANNEL_PREFIXES = ['pokemon-ingest.', 'pokemon-process.'];

/** The partitions of the stats repartition channel a host's health shows it holding. */
function statsPartitions(health: unknown): string[] {
  const found: string[] = [];
  const visit = (node: unknown) => {
    if (typeof node !== 'object' || node === null) return;
    const details = node as { changelog?: unknown; partitions?: unknown };
    if (typeof details.changelog === 'string' && details.changelog.startsWith('pokemon-process.routes.stats.') && typeof details.partitions === 'object') {
      found.push(...Object.keys(details.partitions as object));
    }
    for (const child of Object.values(node)) visit(child);
  };
  visit(health);
  return found;
}

describe('recipe pokemon-stream on three hosts over Kafka', () => {
  const run = randomUUID().replace(/-/g, '').slice(0, 10);
  const keyspace = `pokemon_hosts_${run}`;
  const topic = `pokemon-hosts-${run}`;
  const token = `token-${run}`;
  const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'pokemon-hosts-e2e', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const db = new cassandra.Client({ contactPoints, localDataCenter });
  const dirs: string[] = [];
  let api: FixtureServer;
  const hosts: RecipeHost[] = [];

  const clearChannels = async () => {
    const topics = (await admin.listTopics()).filter((t) => CHANNEL_PREFIXES.some((p) => t.startsWith(p)));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
    await until(async () => (await admin.listTopics()).every((t) => !CHANNEL_PREFIXES.some((p) => t.startsWith(p))), 'the channel topics deleted', 60_000);
  };

  beforeAll(async () => {
    api = await servePokeApi();
    await admin.connect();
    await db.connect();
    await clearChannels();
  });

  afterAll(async () => {
    for (const host of hosts) await host.stop().catch(() => undefined);
    await db.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
    await db.shutdown();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await clearChannels().catch(() => undefined);
    await admin.disconnect();
    await api.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('stores the single host’s rows and aggregates, and keeps them exact when a host leaves', async () => {
    const env = () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'sluice-pokemon-hosts-'));
      dirs.push(dataDir);
      return {
        SLUICE_TRANSPORT: 'kafka',
        KAFKA_BROKERS: brokers,
        CASSANDRA_CONTACT_POINTS: contactPoints.join(','),
        CASSANDRA_LOCAL_DC: localDataCenter,
        POKEAPI_URL: api.baseUrl,
        POKEMON_ID_MIN: String(IDS[0]),
        POKEMON_ID_MAX: String(IDS.at(-1)),
        POKEMON_POLL_MIN_MS: '50',
        POKEMON_POLL_MAX_MS: '150',
        POKEMON_TOPIC: topic,
        POKEMON_KEYSPACE: keyspace,
        SLUICE_DATA_DIR: dataDir,
      };
    };
    // One after the other: the first creates the keyspace, the tables and the topics.
    for (let i = 0; i < 3; i++) hosts.push(await startRecipe('config/pipelines/pokemon-stream.yaml', env(), token));
    const stats = expectedStats(api, IDS);

    /** pokemon_stats as the single host has it: per stat, over the nine distinct Pokémon. */
    const exactStats = async () => {
      const result = await db.execute(`SELECT * FROM ${keyspace}.pokemon_stats`);
      if (result.rows.length !== stats.size) return undefined;
      for (const row of result.rows) {
        const want = stats.get(row.stat_type as string);
        if (!want || row.count_pokemon !== want.count || row.max_value !== want.max || row.min_value !== want.min || Math.abs((row.avg_value as number) - want.avg) > 1e-9) return undefined;
      }
      return result.rows;
    };
    await until(exactStats, 'pokemon_stats over the nine Pokémon, from three hosts', 180_000, hosts[0]);
    const raw = await until(
      async () => {
        const result = await db.execute(`SELECT id, name, base_experience FROM ${keyspace}.raw_pokemon`);
        return result.rows.length === IDS.length ? result.rows : undefined;
      },
      'raw_pokemon',
      60_000,
      hosts[0],
    );
    for (const row of raw) {
      const body = pokemonBody(api, row.id as number);
      expect([row.name, row.base_experience]).toEqual([cleanName(body.name), body.base_experience]);
    }

    // The stats are spread: the hosts hold partitions of the repartition channel between them.
    const held = await Promise.all(hosts.map(async (host) => statsPartitions((await host.call('GET', '/health/ready')).body)));
    expect(held.filter((partitions) => partitions.length > 0).length).toBeGreaterThanOrEqual(2);

    // The PokeAPI poll cannot be split: it runs on one host, the others stand by.
    const ingestStates = async (running: readonly RecipeHost[]) =>
      Promise.all(
        running.map(async (host) => {
          const { pipelines } = (await host.call('GET', '/api/pipelines')).body as { pipelines: Array<{ name: string; stages: Array<{ stage: string; state: string }> }> };
          return pipelines.find((p) => p.name === 'pokemon-ingest')!.stages.find((s) => s.stage === 'source')!.state;
        }),
      );
    const states = await until(
      async () => {
        const now = await ingestStates(hosts);
        return [...now].sort().join() === 'running,standby,standby' ? now : undefined;
      },
      'the poll on one host, the two others standing by',
      60_000,
      hosts[0],
    );

    // The host that polls leaves: another takes the poll over, and the stats partitions it held move
    // to the others, which restore their state from the changelog. Pokémon keep coming (from the new
    // leader); every row written from now on still counts all nine.
    const leader = hosts[states.indexOf('running')]!;
    const others = hosts.filter((host) => host !== leader);
    expect(await leader.stop()).toBe(0);
    const leftAt = Date.now();
    const seen = new Set<string>();
    while (Date.now() - leftAt < 20_000) {
      const result = await db.execute(`SELECT * FROM ${keyspace}.pokemon_stats`);
      for (const row of result.rows) {
        const want = stats.get(row.stat_type as string)!;
        expect({ stat: row.stat_type, count: row.count_pokemon }).toEqual({ stat: row.stat_type, count: want.count });
        if ((row.updated_at as Date).getTime() > leftAt) seen.add(row.stat_type as string);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Every stat was written again after the host left (by whichever host holds it now).
    expect([...seen].sort()).toEqual([...stats.keys()].sort());
    expect(await exactStats()).toBeDefined();
    await until(async () => (await ingestStates(others)).sort().join() === 'running,standby', 'the poll taken over by one of the two hosts left', 30_000, others[0]);

    for (const host of others) expect(await host.stop()).toBe(0);
    hosts.length = 0;
  });
});
