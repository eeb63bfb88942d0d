// The Cassandra tables of the reference pipelines (users-stream §1, pokemon-stream §4 of
// REFERENCE-PIPELINES.md), created by the sink from config and compared with the same tables
// created by the projects' own DDL. Keyspace names get a per-run suffix; all are dropped at the end.
import { jest } from '@jest/globals';
import { makeRecord, prepare, type Queryable, type Sink } from '@sluice/sdk';
import cassandraSink from './index.js';
import { AdminClient, testCluster, uniqueKeyspace } from './cassandra-test-cluster.js';

jest.setTimeout(60_000);

type CassandraSink = Sink & Queryable;

const admin = new AdminClient();
const sparkStreams = admin.track(uniqueKeyspace('spark_streams'));
const pokemonData = admin.track(uniqueKeyspace('pokemon_data'));
const reference = admin.track(uniqueKeyspace('reference'));
const open: CassandraSink[] = [];

async function start(config: Record<string, unknown>): Promise<CassandraSink> {
  const { config: validated, context } = prepare(cassandraSink, { ...testCluster(), consistency: 'one', ...config });
  const sink = cassandraSink.create(validated, context) as CassandraSink;
  await sink.start?.();
  open.push(sink);
  return sink;
}

const simple = { strategy: 'SimpleStrategy', replicationFactor: 1 };

const createdUsers = (keyspace: string, extra: Record<string, unknown> = {}) => ({
  keyspace,
  createKeyspace: simple,
  table: 'created_users',
  columns: ['id', 'first_name', 'last_name', 'gender', 'address', 'post_code', 'email', 'username', 'dob', 'registered_date', 'phone', 'picture'].map((name) => ({
    name,
    type: name === 'id' ? 'uuid' : 'text',
  })),
  partitionKey: ['id'],
  ...extra,
});

const rawPokemon = (keyspace: string, extra: Record<string, unknown> = {}) => ({
  keyspace,
  createKeyspace: simple,
  table: 'raw_pokemon',
  columns: [
    { name: 'id', type: 'int' },
    { name: 'name', type: 'text' },
    { name: 'height', type: 'int' },
    { name: 'weight', type: 'int' },
    { name: 'base_experience', type: 'int' },
    { name: 'types', type: 'list<text>' },
    { name: 'abilities', type: 'list<text>' },
    { name: 'stats', type: 'map<text,int>' },
    { name: 'timestamp', type: 'timestamp' },
  ],
  partitionKey: ['id'],
  timeColumn: 'timestamp',
  ...extra,
});

const pokemonByType = (keyspace: string, extra: Record<string, unknown> = {}) => ({
  keyspace,
  createKeyspace: simple,
  table: 'pokemon_by_type',
  columns: [
    { name: 'type', type: 'text' },
    { name: 'pokemon_id', type: 'int', from: 'id' },
    { name: 'pokemon_name', type: 'text', from: 'name' },
    { name: 'base_experience', type: 'int' },
    { name: 'timestamp', type: 'timestamp' },
  ],
  partitionKey: ['type'],
  clusteringKey: [{ column: 'pokemon_id' }],
  timeColumn: 'timestamp',
  ...extra,
});

/** The DDL of the original projects. */
const REFERENCE_DDL = (keyspace: string) => [
  `CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'}`,
  `CREATE TABLE ${keyspace}.created_users (id UUID PRIMARY KEY, first_name TEXT, last_name TEXT, gender TEXT, address TEXT, post_code TEXT,
     email TEXT, username TEXT, dob TEXT, registered_date TEXT, phone TEXT, picture TEXT)`,
  `CREATE TABLE ${keyspace}.raw_pokemon (id int PRIMARY KEY, name text, height int, weight int, base_experience int,
     types list<text>, abilities list<text>, stats map<text, int>, timestamp timestamp)`,
  `CREATE TABLE ${keyspace}.pokemon_by_type (type text, pokemon_id int, pokemon_name text, base_experience int, timestamp timestamp,
     PRIMARY KEY (type, pokemon_id))`,
];

const T0 = Date.UTC(2025, 5, 1, 12);
const minute = 60_000;

/** PokeAPI-shaped Pokemon, as the pokemon-stream transform leaves them (types/abilities flattened, stats as a map). */
const POKEMON = [
  { id: 1, name: 'bulbasaur', height: 7, weight: 69, base_experience: 64, types: ['grass', 'poison'], abilities: ['overgrow', 'chlorophyll'], stats: { hp: 45, attack: 49, defense: 49, 'special-attack': 65, 'special-defense': 65, speed: 45 } },
  { id: 4, name: 'charmander', height: 6, weight: 85, base_experience: 62, types: ['fire'], abilities: ['blaze', 'solar-power'], stats: { hp: 39, attack: 52, defense: 43, 'special-attack': 60, 'special-defense': 50, speed: 65 } },
  { id: 6, name: 'charizard', height: 17, weight: 905, base_experience: 267, types: ['fire', 'flying'], abilities: ['blaze', 'solar-power'], stats: { hp: 78, attack: 84, defense: 78, 'special-attack': 109, 'special-defense': 85, speed: 100 } },
  { id: 25, name: 'pikachu', height: 4, weight: 60, base_experience: 112, types: ['electric'], abilities: ['static', 'lightning-rod'], stats: { hp: 35, attack: 55, defense: 40, 'special-attack': 50, 'special-defense': 50, speed: 90 } },
  { id: 43, name: 'oddish', height: 5, weight: 54, base_experience: 64, types: ['grass', 'poison'], abilities: ['chlorophyll', 'run-away'], stats: { hp: 45, attack: 50, defense: 55, 'special-attack': 75, 'special-defense': 65, speed: 30 } },
].map((p, i) => ({ ...p, timestamp: new Date(T0 + i * 50_000).toISOString() }));

/** randomuser.me-shaped users, flattened as the users-stream transform does. */
const USERS = [
  {
    id: '5b6c1a6e-3c9f-4e5e-9a67-2f1c7a0d9b11',
    first_name: 'Louane',
    last_name: 'Vidal',
    gender: 'female',
    address: '2479 Place du 8 Février 1962, Avignon, Ardèche, France',
    post_code: '78276',
    email: 'louane.vidal@example.com',
    username: 'crazyfrog532',
    dob: '1966-06-26T11:50:25.558Z',
    registered_date: '2016-08-11T06:51:52.086Z',
    phone: '02-62-35-18-98',
    picture: 'https://randomuser.me/api/portraits/med/women/88.jpg',
  },
  {
    id: 'a8f3e2d1-77b4-4c0e-8f52-0d3e6b1c2a90',
    first_name: 'Brad',
    last_name: 'Gibson',
    gender: 'male',
    address: '9278 New Road, Kilcoole, Waterford, Ireland',
    post_code: '93027',
    email: 'brad.gibson@example.com',
    username: 'silverswan131',
    dob: '1993-07-20T09:44:18.674Z',
    registered_date: '2002-05-21T10:59:49.966Z',
    phone: '011-962-7516',
    picture: 'https://randomuser.me/api/portraits/med/men/75.jpg',
  },
];

beforeAll(async () => {
  await admin.connect();
  for (const statement of REFERENCE_DDL(reference)) await admin.execute(statement);
});

afterAll(async () => {
  await Promise.all(open.splice(0).map((sink) => sink.stop?.()));
  await admin.close();
});

it('reproduces spark_streams.created_users, pokemon_data.raw_pokemon and pokemon_by_type, stores and queries their data', async () => {
  const users = await start(createdUsers(sparkStreams));
  const raw = await start(rawPokemon(pokemonData));
  const byType = await start(pokemonByType(pokemonData));

  // The sink's tables are column for column the reference DDL's.
  for (const [keyspace, table] of [
    [sparkStreams, 'created_users'],
    [pokemonData, 'raw_pokemon'],
    [pokemonData, 'pokemon_by_type'],
  ]) {
    expect(await admin.columns(keyspace, table)).toEqual(await admin.columns(reference, table));
  }
  expect(await admin.columns(pokemonData, 'pokemon_by_type')).toEqual({
    type: 'text partition_key#0',
    pokemon_id: 'int clustering#0 asc',
    pokemon_name: 'text',
    base_experience: 'int',
    timestamp: 'timestamp',
  });

  expect(await users.write(USERS.map((u) => makeRecord(u)))).toBeUndefined();
  expect(await raw.write(POKEMON.map((p) => makeRecord(p)))).toBeUndefined();
  // One row per (type, pokemon): grass and fire rows share partitions, so they go as unlogged batches.
  expect(await byType.write(POKEMON.flatMap((p) => p.types.map((type) => makeRecord({ ...p, type }))))).toBeUndefined();

  const storedUsers = await users.queryTable({ dataset: 'created_users', orderBy: [{ column: 'last_name', direction: 'asc' }] });
  expect(storedUsers.rows.map((r) => Object.fromEntries(storedUsers.columns.map((c, i) => [c.name, r[i]])))).toEqual([USERS[1], USERS[0]]);

  const row = await admin.execute(`SELECT types, stats, timestamp FROM ${pokemonData}.raw_pokemon WHERE id = 6`);
  expect(row.first().get('types')).toEqual(['fire', 'flying']);
  expect(row.first().get('stats')).toEqual(new Map(Object.entries(POKEMON[2].stats).sort(([a], [b]) => (a < b ? -1 : 1))));
  expect(row.first().get('timestamp')).toEqual(new Date(T0 + 100_000));

  // The pokemon-stream dashboard: processed per minute, type distribution, ranking by base experience.
  expect(await raw.queryTimeSeries({ dataset: 'raw_pokemon', aggregation: 'count', from: T0, to: T0 + 5 * minute, intervalMs: minute })).toEqual([
    { name: 'count', points: [[2, T0], [1, T0 + minute], [1, T0 + 2 * minute], [1, T0 + 3 * minute]] },
  ]);
  const distribution = await byType.queryTable({ dataset: 'pokemon_by_type', columns: ['type'], aggregations: [{ fn: 'count', as: 'pokemon' }], orderBy: [{ column: 'pokemon', direction: 'desc' }, { column: 'type', direction: 'asc' }] });
  expect(distribution.rows).toEqual([
    ['fire', 2],
    ['grass', 2],
    ['poison', 2],
    ['electric', 1],
    ['flying', 1],
  ]);
  const top = await raw.queryTable({ dataset: 'raw_pokemon', columns: ['name', 'base_experience'], orderBy: [{ column: 'base_experience', direction: 'desc' }], limit: 3 });
  expect(top.rows).toEqual([
    ['charizard', 267],
    ['pikachu', 112],
    [expect.stringMatching(/^(bulbasaur|oddish)$/), 64],
  ]);
  const grass = await byType.queryTable({ dataset: 'pokemon_by_type', columns: ['pokemon_name'], filters: [{ column: 'type', op: '=', value: 'grass' }] });
  expect(grass.rows).toEqual([['bulbasaur'], ['oddish']]);

  // The sink also writes into the tables the reference DDL created.
  const onReference = await start(pokemonByType(reference, { createKeyspace: undefined, createTable: false }));
  expect(await onReference.write([makeRecord({ ...POKEMON[3], type: 'electric' })])).toBeUndefined();
  expect((await onReference.queryTable({ dataset: 'pokemon_by_type', columns: ['pokemon_name'] })).rows).toEqual([['pikachu']]);
});
