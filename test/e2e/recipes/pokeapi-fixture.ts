// The PokeAPI the pokemon-stream tests poll: a local server answering /api/v2/pokemon/<id> for ids
// 1–12 with recorded bodies (relabelled, numbers shifted, for the ids not recorded).
import { startFixtureServer, type FixtureServer } from '../../fixtures/http/fixture-server.js';

/** The ids the tests ask for: small enough that every one gets fetched within seconds. */
export const IDS = Array.from({ length: 9 }, (_, i) => i + 1);
const RECORDINGS = [1, 6, 25];

export interface PokemonBody {
  id: number;
  name: string;
  height: number;
  weight: number;
  base_experience: number;
  types: Array<{ type: { name: string } }>;
  abilities: Array<{ ability: { name: string } }>;
  stats: Array<{ base_stat: number; stat: { name: string } }>;
}

/** What the test API answers for `id`: a recording, relabelled and with its numbers shifted for other ids. */
export function pokemonBody(server: FixtureServer, id: number): PokemonBody {
  const recording = RECORDINGS.includes(id) ? id : RECORDINGS[id % RECORDINGS.length]!;
  const body = JSON.parse(server.fixture(`pokeapi/pokemon-${recording}.json`)) as PokemonBody;
  if (recording === id) return body;
  return {
    ...body,
    id,
    name: `  ${body.name.toUpperCase()}-${id} `,
    base_experience: body.base_experience + id,
    stats: body.stats.map((s) => ({ ...s, base_stat: s.base_stat + id })),
  };
}

export const cleanName = (name: string) => name.trim().toLowerCase();

/** Starts the test API. */
export function servePokeApi(): Promise<FixtureServer> {
  return startFixtureServer((request, response, server) => {
    const match = /^\/api\/v2\/pokemon\/(\d+)\/?$/.exec(new URL(request.url, server.baseUrl).pathname);
    const id = match ? Number(match[1]) : NaN;
    if (request.method === 'GET' && id >= 1 && id <= 12) server.sendJson(response, pokemonBody(server, id));
  });
}

/** The pokemon_stats rows one host computes over the Pokémon `ids`: per stat, avg/max/min/count. */
export function expectedStats(server: FixtureServer, ids: readonly number[]): Map<string, { avg: number; max: number; min: number; count: number }> {
  const bodies = ids.map((id) => pokemonBody(server, id));
  const names = [...new Set(bodies.flatMap((b) => b.stats.map((s) => s.stat.name)))];
  return new Map(
    names.map((name) => {
      const values = bodies.map((b) => b.stats.find((s) => s.stat.name === name)!.base_stat);
      return [name, { avg: values.reduce((a, b) => a + b, 0) / values.length, max: Math.max(...values), min: Math.min(...values), count: values.length }];
    }),
  );
}
