// Reference pipeline 4 end to end: config/pipelines/pokemon-stream.yaml run by the CLI against the
// real Kafka and Cassandra, polling a local server that answers like PokeAPI (recorded bodies).
// Checks the topic, the three tables (rows, aggregates), the REST answers, the Grafana answers for
// every panel of config/grafana/dashboards/pokemon.json, health and a clean SIGTERM.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import cassandra from 'cassandra-driver';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import type { FixtureServer } from '../../fixtures/http/fixture-server.js';
import { startRecipe, until, type RecipeHost } from './recipe-host.js';
import { cleanName, IDS, pokemonBody, servePokeApi } from './pokeapi-fixture.js';

jest.setTimeout(300_000);

const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const contactPoints = (process.env.CASSANDRA_CONTACT_POINTS || '127.0.0.1:9042').split(',');
const localDataCenter = process.env.CASSANDRA_LOCAL_DC || 'datacenter1';
describe('recipe pokemon-stream (PokeAPI → Kafka → Cassandra, REST, Grafana)', () => {
  const run = randomUUID().replace(/-/g, '').slice(0, 10);
  const keyspace = `pokemon_e2e_${run}`;
  const topic = `pokemon-data-${run}`;
  const token = `token-${run}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-pokemon-'));
  const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'pokemon-e2e', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const db = new cassandra.Client({ contactPoints, localDataCenter });
  let api: FixtureServer;
  let host: RecipeHost | undefined;

  beforeAll(async () => {
    api = await servePokeApi();
    await admin.connect();
    await db.connect();
  });

  afterAll(async () => {
    if (host) await host.stop();
    await db.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
    await db.execute(`DROP KEYSPACE IF EXISTS ${keyspace}_restart`).catch(() => undefined);
    await db.shutdown();
    await admin.deleteTopics({ topics: [topic, `${topic}-restart`] }).catch(() => undefined);
    await admin.disconnect();
    await api.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('polls, streams, stores, aggregates and serves every Pokémon', async () => {
    host = await startRecipe(
      'config/pipelines/pokemon-stream.yaml',
      {
        KAFKA_BROKERS: brokers,
        CASSANDRA_CONTACT_POINTS: contactPoints.join(','),
        CASSANDRA_LOCAL_DC: localDataCenter,
        POKEAPI_URL: api.baseUrl,
        POKEMON_ID_MIN: String(IDS[0]),
        POKEMON_ID_MAX: String(IDS.at(-1)),
        POKEMON_POLL_MIN_MS: '20',
        POKEMON_POLL_MAX_MS: '80',
        POKEMON_TOPIC: topic,
        POKEMON_KEYSPACE: keyspace,
        SLUICE_DATA_DIR: dataDir,
      },
      token,
    );
    const expected = IDS.map((id) => pokemonBody(api, id));

    // Every id ends up in raw_pokemon (ids repeat: rows are upserts by id).
    const rows = await until(
      async () => {
        const result = await db.execute(`SELECT * FROM ${keyspace}.raw_pokemon`);
        return result.rows.length === IDS.length ? result.rows : undefined;
      },
      `all ${IDS.length} Pokémon in raw_pokemon`,
      180_000,
      host,
    );
    for (const body of expected) {
      const row = rows.find((r) => r.id === body.id)!;
      expect(row).toBeDefined();
      expect(row.name).toBe(cleanName(body.name));
      expect(row.height).toBe(body.height);
      expect(row.weight).toBe(body.weight);
      expect(row.base_experience).toBe(body.base_experience);
      expect(row.types).toEqual(body.types.map((t) => t.type.name));
      expect(row.abilities).toEqual([...new Set(body.abilities.map((a) => a.ability.name))]);
      expect(row.stats).toEqual(Object.fromEntries(body.stats.map((s) => [s.stat.name, s.base_stat])));
      expect(row.timestamp).toBeInstanceOf(Date);
    }

    // pokemon_stats: per stat, over the distinct Pokémon (a Pokémon fetched twice counts once).
    const statNames = [...new Set(expected.flatMap((b) => b.stats.map((s) => s.stat.name)))];
    const stats = await until(
      async () => {
        const result = await db.execute(`SELECT * FROM ${keyspace}.pokemon_stats`);
        const complete = result.rows.length === statNames.length && result.rows.every((r) => r.count_pokemon === IDS.length);
        return complete ? result.rows : undefined;
      },
      'pokemon_stats over every Pokémon',
      60_000,
      host,
    );
    for (const name of statNames) {
      const values = expected.map((b) => b.stats.find((s) => s.stat.name === name)!.base_stat);
      const row = stats.find((r) => r.stat_type === name)!;
      expect(row.count_pokemon).toBe(values.length);
      expect(row.max_value).toBe(Math.max(...values));
      expect(row.min_value).toBe(Math.min(...values));
      expect(row.avg_value).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 9);
      expect(row.updated_at).toBeInstanceOf(Date);
    }

    // pokemon_by_type: one row per (type, Pokémon).
    const pairs = expected.flatMap((b) => b.types.map((t) => `${t.type.name}/${b.id}`)).sort();
    const byType = await until(
      async () => {
        const result = await db.execute(`SELECT * FROM ${keyspace}.pokemon_by_type`);
        return result.rows.length === pairs.length ? result.rows : undefined;
      },
      'pokemon_by_type rows',
      60_000,
      host,
    );
    expect(byType.map((r) => `${r.type}/${r.pokemon_id}`).sort()).toEqual(pairs);
    for (const row of byType) {
      const body = expected.find((b) => b.id === row.pokemon_id)!;
      expect(row.pokemon_name).toBe(cleanName(body.name));
      expect(row.base_experience).toBe(body.base_experience);
    }

    // The topic: as the reference has it.
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    expect(metadata!.partitions).toHaveLength(3);
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }] });
    expect(described.resources[0]!.configEntries.find((e) => e.configName === 'retention.ms')?.configValue).toBe('86400000');

    // REST: the reference's endpoints as named queries, behind the token.
    expect((await host.call('GET', '/api/queries/total-pokemon', undefined, null)).status).toBe(401);
    const total = await host.call('GET', '/api/queries/total-pokemon');
    expect(total.status).toBe(200);
    expect(total.body.rows).toEqual([[IDS.length]]);
    const typeCounts = new Map<string, number>();
    for (const b of expected) for (const t of b.types) typeCounts.set(t.type.name, (typeCounts.get(t.type.name) ?? 0) + 1);
    const distribution = await host.call('GET', '/api/queries/type-distribution');
    expect(distribution.status).toBe(200);
    expect(distribution.body.columns.map((c: { name: string }) => c.name)).toEqual(['type', 'count']);
    expect(Object.fromEntries(distribution.body.rows)).toEqual(Object.fromEntries(typeCounts));
    const counts = distribution.body.rows.map((r: [string, number]) => r[1]);
    expect(counts).toEqual([...counts].sort((a: number, b: number) => b - a));
    const top = await host.call('GET', '/api/queries/top-pokemon');
    expect(top.status).toBe(200);
    const ranking = [...expected].sort((a, b) => b.base_experience - a.base_experience || cleanName(a.name).localeCompare(cleanName(b.name)));
    expect(top.body.rows).toEqual(ranking.slice(0, 10).map((b) => [cleanName(b.name), b.base_experience]));
    const perHour = await host.call('GET', '/api/queries/pokemon-per-hour?intervalMs=3600000');
    expect(perHour.status).toBe(200);
    const stored = perHour.body.series.flatMap((s: { points: Array<[number, number]> }) => s.points).reduce((n: number, [v]: [number, number]) => n + (v ?? 0), 0);
    expect(stored).toBe(IDS.length);

    // The hourly report job, run now: the ranking as a file.
    const report = await host.call('POST', '/api/jobs/top-pokemon-report/run');
    expect(report.status).toBe(200);
    expect(report.body.outcome).toBe('ok');
    expect(JSON.parse(readFileSync(join(dataDir, 'reports', 'top-pokemon.json'), 'utf8')).rows).toEqual(top.body.rows);

    // Grafana: the datasource lists the queries, and every panel of the provisioned dashboard draws.
    const metrics = await host.call('POST', '/grafana/metrics', {});
    expect(metrics.status).toBe(200);
    const offered = metrics.body.map((m: { value: string }) => m.value);
    const dashboard = JSON.parse(readFileSync('config/grafana/dashboards/pokemon.json', 'utf8')) as { panels: Array<{ title: string; targets?: Array<{ target: string; refId?: string; payload?: unknown }> }> };
    const targets = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ ...t, panel: p.title })));
    expect(targets.length).toBeGreaterThanOrEqual(4);
    const now = Date.now();
    for (const target of targets) {
      expect(offered).toContain(target.target);
      const answer = await host.call('POST', '/grafana/query', {
        range: { from: new Date(now - 86_400_000).toISOString(), to: new Date(now + 60_000).toISOString(), raw: { from: 'now-24h', to: 'now' } },
        interval: '1m',
        intervalMs: 60_000,
        maxDataPoints: 1000,
        targets: [{ refId: target.refId ?? 'A', target: target.target, payload: target.payload ?? {}, datasource: { type: 'simpod-json-datasource', uid: 'sluice' } }],
        adhocFilters: [],
      });
      expect({ panel: target.panel, status: answer.status }).toEqual({ panel: target.panel, status: 200 });
      expect(answer.body).toHaveLength(1);
      const frame = answer.body[0];
      if ('datapoints' in frame) {
        const sum = frame.datapoints.reduce((n: number, [v]: [number | null, number]) => n + (v ?? 0), 0);
        expect(sum).toBe(IDS.length);
        const times = frame.datapoints.map(([, t]: [number, number]) => t);
        expect(times).toEqual([...times].sort((a: number, b: number) => a - b));
      } else {
        expect(frame.type).toBe('table');
        expect(frame.rows.length).toBeGreaterThan(0);
      }
    }

    // Health names every plugin, the Cassandra sinks included.
    const ready = await host.call('GET', '/health/ready', undefined, token);
    expect(ready.status).toBe(200);
    expect(JSON.stringify(ready.body)).toContain('routes.stats.sink');

    // A clean stop drains and exits 0.
    expect(await host.stop()).toBe(0);
    host = undefined;
  });

  it('keeps its aggregates across a restart: the state file is read back and new Pokémon add to it', async () => {
    const restartKeyspace = `${keyspace}_restart`;
    const restartDir = join(dataDir, 'restart');
    const env = (min: number, max: number) => ({
      KAFKA_BROKERS: brokers,
      CASSANDRA_CONTACT_POINTS: contactPoints.join(','),
      CASSANDRA_LOCAL_DC: localDataCenter,
      POKEAPI_URL: api.baseUrl,
      POKEMON_ID_MIN: String(min),
      POKEMON_ID_MAX: String(max),
      POKEMON_POLL_MIN_MS: '20',
      POKEMON_POLL_MAX_MS: '80',
      POKEMON_TOPIC: `${topic}-restart`,
      POKEMON_KEYSPACE: restartKeyspace,
      SLUICE_DATA_DIR: restartDir,
    });
    /** Waits until pokemon_stats holds, for every stat, the aggregates over exactly `ids`. */
    const statsOver = async (ids: number[], running: RecipeHost) => {
      const bodies = ids.map((id) => pokemonBody(api, id));
      const names = [...new Set(bodies.flatMap((b) => b.stats.map((st) => st.stat.name)))];
      const rows = await until(
        async () => {
          const result = await db.execute(`SELECT * FROM ${restartKeyspace}.pokemon_stats`);
          return result.rows.length === names.length && result.rows.every((r) => r.count_pokemon === ids.length) ? result.rows : undefined;
        },
        `pokemon_stats over ids ${ids.join(',')}`,
        120_000,
        running,
      );
      for (const name of names) {
        const values = bodies.map((b) => b.stats.find((st) => st.stat.name === name)!.base_stat);
        const row = rows.find((r) => r.stat_type === name)!;
        expect([row.min_value, row.max_value]).toEqual([Math.min(...values), Math.max(...values)]);
        expect(row.avg_value).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 9);
      }
    };

    // First run: Pokémon 1–6, then a clean stop, which saves the aggregate state.
    host = await startRecipe('config/pipelines/pokemon-stream.yaml', env(1, 6), token);
    await statsOver([1, 2, 3, 4, 5, 6], host);
    expect(await host.stop()).toBe(0);
    host = undefined;
    const stateDir = join(restartDir, 'state', 'pokemon-process');
    expect(readdirSync(stateDir).filter((f) => f.endsWith('.aggregate.json'))).toHaveLength(1);

    // Second run: only Pokémon 7–12 are fetched now; the stats cover all twelve only if the state
    // of the first run was read back (and each Pokémon counts once, however often it was fetched).
    host = await startRecipe('config/pipelines/pokemon-stream.yaml', env(7, 12), token);
    await statsOver([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], host);
    expect(await host.stop()).toBe(0);
    host = undefined;
    const deadLetters = join(restartDir, 'dlq', 'pokemon-process.jsonl');
    expect(existsSync(deadLetters) ? readFileSync(deadLetters, 'utf8') : '').toBe('');
  });
});
