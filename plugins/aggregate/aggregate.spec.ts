import { describe, expect, it } from '@jest/globals';
import { makeRecord, prepare, runTransform, type SluiceRecord } from '@sluice/sdk';
import aggregate from './index.js';
import { AggregateTransform } from './aggregate.transform.js';

type Stat = readonly [name: string, value: number];

/** A PokeAPI-shaped record (the fields the pokemon_stats pipeline reads). */
function pokemon(id: number, name: string, stats: readonly Stat[], types: readonly string[] = ['normal'], timestamp = 1_700_000_000_000): SluiceRecord {
  return makeRecord(
    {
      id,
      name,
      base_experience: 64,
      types: types.map((type, slot) => ({ slot: slot + 1, type: { name: type, url: `https://pokeapi.co/api/v2/type/${type}/` } })),
      stats: stats.map(([stat, value]) => ({ base_stat: value, effort: 0, stat: { name: stat, url: `https://pokeapi.co/api/v2/stat/${stat}/` } })),
    },
    { key: String(id), timestamp, headers: { 'x-source': 'pokeapi' }, origin: { pipeline: 'pokemon', source: 'http', lane: 'pokeapi', offset: id } },
  );
}

const bulbasaur = pokemon(1, 'bulbasaur', [['hp', 45], ['attack', 49], ['defense', 49], ['special-attack', 65], ['special-defense', 65], ['speed', 45]], ['grass', 'poison']);
const charizard = pokemon(6, 'charizard', [['hp', 78], ['attack', 84], ['defense', 78], ['special-attack', 109], ['special-defense', 85], ['speed', 100]], ['fire', 'flying']);
const pikachu = pokemon(25, 'pikachu', [['hp', 35], ['attack', 55], ['defense', 40], ['special-attack', 50], ['special-defense', 50], ['speed', 90]], ['electric']);

const POKEMON_STATS = {
  each: 'stats',
  groupBy: { stat_type: 'stat.name' },
  distinct: 'id',
  metrics: {
    avg_value: { fn: 'avg', of: 'base_stat' },
    max_value: { fn: 'max', of: 'base_stat' },
    min_value: { fn: 'min', of: 'base_stat' },
    count_pokemon: { fn: 'count' },
  },
  persistState: false,
};

/** The last value emitted per key: what an upserting sink ends up with. */
function latest(outputs: readonly SluiceRecord[]): Map<string | null, Record<string, unknown>> {
  const rows = new Map<string | null, Record<string, unknown>>();
  for (const output of outputs) rows.set(output.key, output.value as Record<string, unknown>);
  return rows;
}

/** Values without the emission time. */
function withoutTime(value: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!value) return value;
  const { updated_at: _ignored, ...rest } = value;
  return rest;
}

describe('aggregate: pokemon_stats', () => {
  it('maintains avg/max/min/count per stat over several Pokémon', async () => {
    const { outputs, deadLetters, dropped } = await runTransform(aggregate, POKEMON_STATS, [bulbasaur, charizard, pikachu]);
    expect(deadLetters).toEqual([]);
    expect(dropped).toEqual([]);
    expect(outputs).toHaveLength(18);
    const rows = latest(outputs);
    expect([...rows.keys()]).toEqual(['hp', 'attack', 'defense', 'special-attack', 'special-defense', 'speed']);
    expect(withoutTime(rows.get('hp'))).toEqual({ stat_type: 'hp', avg_value: (45 + 78 + 35) / 3, max_value: 78, min_value: 35, count_pokemon: 3 });
    expect(withoutTime(rows.get('attack'))).toEqual({ stat_type: 'attack', avg_value: (49 + 84 + 55) / 3, max_value: 84, min_value: 49, count_pokemon: 3 });
    expect(withoutTime(rows.get('special-attack'))).toEqual({ stat_type: 'special-attack', avg_value: (65 + 109 + 50) / 3, max_value: 109, min_value: 50, count_pokemon: 3 });
    expect(withoutTime(rows.get('speed'))).toEqual({ stat_type: 'speed', avg_value: (45 + 100 + 90) / 3, max_value: 100, min_value: 45, count_pokemon: 3 });
    for (const value of rows.values()) expect(value.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('emits one upsert per touched group, in element order, with the running aggregates', async () => {
    const { outputs } = await runTransform(aggregate, POKEMON_STATS, [bulbasaur, charizard]);
    expect(outputs.slice(0, 6).map((o) => o.key)).toEqual(['hp', 'attack', 'defense', 'special-attack', 'special-defense', 'speed']);
    expect(withoutTime(outputs[0]!.value as Record<string, unknown>)).toEqual({ stat_type: 'hp', avg_value: 45, max_value: 45, min_value: 45, count_pokemon: 1 });
    expect(withoutTime(outputs[6]!.value as Record<string, unknown>)).toEqual({ stat_type: 'hp', avg_value: 61.5, max_value: 78, min_value: 45, count_pokemon: 2 });
  });

  it('keeps the input timestamp, headers and origin, and keys each output by its group', async () => {
    const { outputs } = await runTransform(aggregate, POKEMON_STATS, [bulbasaur]);
    expect(outputs[0]).toEqual({
      key: 'hp',
      value: expect.objectContaining({ stat_type: 'hp' }),
      timestamp: bulbasaur.timestamp,
      headers: bulbasaur.headers,
      origin: bulbasaur.origin,
    });
  });

  it('orders the output fields: group fields, metrics, updated_at; the emission time comes from the clock', async () => {
    const { config, context } = prepare(aggregate, POKEMON_STATS);
    const transform = new AggregateTransform(config, context, () => Date.UTC(2024, 4, 1, 12));
    const outputs = (await transform.process(bulbasaur)) as SluiceRecord[];
    expect(Object.keys(outputs[0]!.value as object)).toEqual(['stat_type', 'avg_value', 'max_value', 'min_value', 'count_pokemon', 'updated_at']);
    expect((outputs[0]!.value as { updated_at: string }).updated_at).toBe('2024-05-01T12:00:00.000Z');
  });

  it('names the emission-time field after updatedAtField, or leaves it out when empty', async () => {
    const renamed = await runTransform(aggregate, { ...POKEMON_STATS, updatedAtField: 'refreshed' }, [bulbasaur]);
    expect(renamed.outputs[0]!.value).toEqual(expect.objectContaining({ refreshed: expect.stringMatching(/Z$/) }));
    expect(renamed.outputs[0]!.value).not.toHaveProperty('updated_at');
    const none = await runTransform(aggregate, { ...POKEMON_STATS, updatedAtField: '' }, [bulbasaur]);
    expect(Object.keys(none.outputs[0]!.value as object)).toEqual(['stat_type', 'avg_value', 'max_value', 'min_value', 'count_pokemon']);
  });
});

describe('aggregate: distinct entities', () => {
  it('replaces an entity\'s earlier contribution with its latest record', async () => {
    const stronger = pokemon(25, 'pikachu', [['hp', 50], ['attack', 55], ['defense', 40], ['special-attack', 50], ['special-defense', 50], ['speed', 90]]);
    const { outputs } = await runTransform(aggregate, POKEMON_STATS, [bulbasaur, charizard, pikachu, stronger]);
    const rows = latest(outputs);
    // 35 (the old minimum) is gone: min is recomputed from the remaining Pokémon.
    expect(withoutTime(rows.get('hp'))).toEqual({ stat_type: 'hp', avg_value: (45 + 78 + 50) / 3, max_value: 78, min_value: 45, count_pokemon: 3 });
  });

  it('recomputes the maximum when the entity holding it lowers its value', async () => {
    const weaker = pokemon(6, 'charizard', [['hp', 40]]);
    const { outputs } = await runTransform(aggregate, POKEMON_STATS, [bulbasaur, charizard, pikachu, weaker]);
    expect(withoutTime(latest(outputs).get('hp'))).toEqual({ stat_type: 'hp', avg_value: (45 + 40 + 35) / 3, max_value: 45, min_value: 35, count_pokemon: 3 });
  });

  it('is idempotent under redelivery: the same records again change nothing', async () => {
    const once = await runTransform(aggregate, { ...POKEMON_STATS, updatedAtField: '' }, [bulbasaur, charizard, pikachu]);
    const twice = await runTransform(aggregate, { ...POKEMON_STATS, updatedAtField: '' }, [bulbasaur, charizard, pikachu, charizard, bulbasaur, pikachu, pikachu]);
    expect(latest(twice.outputs)).toEqual(latest(once.outputs));
    expect(latest(twice.outputs).get('speed')!.count_pokemon).toBe(3);
  });

  it('without distinct, a redelivered record counts again (at-least-once)', async () => {
    const { distinct: _none, ...config } = POKEMON_STATS;
    const { outputs } = await runTransform(aggregate, config, [bulbasaur, bulbasaur]);
    expect(latest(outputs).get('hp')).toEqual(expect.objectContaining({ count_pokemon: 2, avg_value: 45 }));
  });

  it('withdraws the entity from the groups it left, emits them, and forgets groups left empty', async () => {
    const byType = { each: 'types', groupBy: { type: 'type.name' }, distinct: 'id', metrics: { pokemon: { fn: 'count' }, avg_xp: { fn: 'avg', of: '$input.base_experience' } }, persistState: false, updatedAtField: '' };
    const { config, context } = prepare(aggregate, byType);
    const transform = aggregate.create(config, context);
    await transform.process(bulbasaur);
    await transform.process(pokemon(2, 'ivysaur', [], ['grass', 'poison']));
    expect((await transform.health!()).details).toEqual(expect.objectContaining({ groups: 2 }));
    const changed = (await transform.process(pokemon(1, 'bulbasaur', [], ['grass', 'bug']))) as SluiceRecord[];
    expect(changed.map((o) => [o.key, o.value])).toEqual([
      ['grass', { type: 'grass', pokemon: 2, avg_xp: 64 }],
      ['bug', { type: 'bug', pokemon: 1, avg_xp: 64 }],
      ['poison', { type: 'poison', pokemon: 1, avg_xp: 64 }],
    ]);
    const emptied = (await transform.process(pokemon(1, 'bulbasaur', [], []))) as SluiceRecord[];
    expect(emptied.map((o) => [o.key, o.value])).toEqual([
      ['grass', { type: 'grass', pokemon: 1, avg_xp: 64 }],
      ['bug', { type: 'bug', pokemon: 0, avg_xp: null }],
    ]);
    expect((await transform.health!()).details).toEqual(expect.objectContaining({ groups: 2 }));
  });

  it('counts an entity once even when several of its elements fall in one group', async () => {
    const config = { each: 'items', groupBy: { sku: 'sku' }, distinct: 'order', metrics: { lines: { fn: 'count' }, qty: { fn: 'sum', of: 'qty' } }, persistState: false, updatedAtField: '' };
    const order = (qty: number) => makeRecord({ order: 'o-1', items: [{ sku: 'a', qty }, { sku: 'a', qty: 1 }] });
    const { outputs } = await runTransform(aggregate, config, [order(2), order(3)]);
    expect(outputs.map((o) => o.value)).toEqual([
      { sku: 'a', lines: 2, qty: 3 },
      { sku: 'a', lines: 2, qty: 4 },
    ]);
  });

  it('keeps the sum exact when every value left is an integer, after entities with decimal values were replaced', async () => {
    const config = { groupBy: { g: '"all"' }, distinct: 'id', metrics: { total: { fn: 'sum', of: 'v' }, mean: { fn: 'avg', of: 'v' } }, persistState: false, updatedAtField: '' };
    const { outputs } = await runTransform(aggregate, config, [{ id: 1, v: 0.1 }, { id: 2, v: 0.2 }, { id: 3, v: 3 }, { id: 1, v: 1 }, { id: 2, v: 2 }]);
    expect(outputs.at(-1)!.value).toEqual({ g: 'all', total: 6, mean: 2 });
  });

  it('tells "1" and 1 apart as entity ids', async () => {
    const config = { groupBy: { g: '"all"' }, distinct: 'id', metrics: { n: { fn: 'count' } }, persistState: false, updatedAtField: '' };
    const { outputs } = await runTransform(aggregate, config, [{ id: 1 }, { id: '1' }, { id: 1 }]);
    expect(outputs.map((o) => (o.value as { n: number }).n)).toEqual([1, 2, 2]);
  });
});

describe('aggregate: functions and elements', () => {
  it('computes count, sum, avg, min and max, ignoring null values and accepting numeric strings', async () => {
    const config = {
      groupBy: { g: 'g' },
      metrics: { all: { fn: 'count' }, priced: { fn: 'count', of: 'price' }, total: { fn: 'sum', of: 'price' }, mean: { fn: 'avg', of: 'price' }, low: { fn: 'min', of: 'price' }, high: { fn: 'max', of: 'price' } },
      persistState: false,
      updatedAtField: '',
    };
    const { outputs, deadLetters } = await runTransform(aggregate, config, [{ g: 'x', price: 4 }, { g: 'x', price: null }, { g: 'x' }, { g: 'x', price: '-2.5' }]);
    expect(deadLetters).toEqual([]);
    expect(outputs.at(-1)!.value).toEqual({ g: 'x', all: 4, priced: 2, total: 1.5, mean: 0.75, low: -2.5, high: 4 });
  });

  it('gives count 0, sum 0 and null avg/min/max when a group has no values yet', async () => {
    const config = { groupBy: { g: 'g' }, metrics: { n: { fn: 'count', of: 'v' }, s: { fn: 'sum', of: 'v' }, a: { fn: 'avg', of: 'v' }, lo: { fn: 'min', of: 'v' }, hi: { fn: 'max', of: 'v' } }, persistState: false, updatedAtField: '' };
    const { outputs } = await runTransform(aggregate, config, [{ g: 'x' }]);
    expect(outputs[0]!.value).toEqual({ g: 'x', n: 0, s: 0, a: null, lo: null, hi: null });
  });

  it('groups by several fields; the key joins them with | and escapes | and \\', async () => {
    const config = { groupBy: { region: 'region', year: 'year', vip: 'vip' }, metrics: { n: { fn: 'count' } }, persistState: false, updatedAtField: '' };
    const { outputs } = await runTransform(aggregate, config, [{ region: 'eu|west', year: 2024, vip: true }, { region: 'a\\b', year: 1, vip: false }]);
    expect(outputs.map((o) => o.key)).toEqual(['eu\\|west|2024|true', 'a\\\\b|1|false']);
    expect(outputs[0]!.value).toEqual({ region: 'eu|west', year: 2024, vip: true, n: 1 });
  });

  it('keeps the string "1" and the number 1 in different groups', async () => {
    const config = { groupBy: { g: 'g' }, metrics: { n: { fn: 'count' } }, persistState: false, updatedAtField: '' };
    const { outputs } = await runTransform(aggregate, config, [{ g: 1 }, { g: '1' }, { g: 1 }]);
    expect(outputs.map((o) => o.value)).toEqual([{ g: 1, n: 1 }, { g: '1', n: 1 }, { g: 1, n: 2 }]);
  });

  it('treats a non-array `each` result as one element and skips null items', async () => {
    const config = { each: 'item', groupBy: { g: 'g' }, metrics: { n: { fn: 'count' } }, persistState: false, updatedAtField: '' };
    const { outputs } = await runTransform(aggregate, config, [{ item: { g: 'a' } }]);
    expect(outputs.map((o) => o.value)).toEqual([{ g: 'a', n: 1 }]);
    const items = await runTransform(aggregate, { ...config, each: 'items' }, [{ items: [{ g: 'a' }, null, { g: 'a' }] }]);
    expect(items.outputs.map((o) => o.value)).toEqual([{ g: 'a', n: 2 }]);
  });

  it('drops a record whose `each` gives nothing or an empty array', async () => {
    const config = { each: 'items', groupBy: { g: 'g' }, metrics: { n: { fn: 'count' } }, persistState: false };
    const { outputs, dropped, deadLetters } = await runTransform(aggregate, config, [{ items: [] }, { other: 1 }, { items: null }]);
    expect(outputs).toEqual([]);
    expect(deadLetters).toEqual([]);
    expect(dropped).toHaveLength(3);
  });

  it('binds $input and the record variables in element expressions, like map', async () => {
    const config = {
      each: 'lines',
      groupBy: { customer: '$input.customer', file: '$headers."sluice.file"', pipeline: '$origin.pipeline' },
      metrics: { qty: { fn: 'sum', of: 'qty' }, last_seen: { fn: 'max', of: '$timestamp' } },
      persistState: false,
      updatedAtField: '',
    };
    const record = makeRecord({ customer: 'ada', lines: [{ qty: 2 }, { qty: 3 }] }, { headers: { 'sluice.file': 'orders.jsonl' }, timestamp: 1234, origin: { pipeline: 'orders', source: 'file' } });
    const { outputs } = await runTransform(aggregate, config, [record]);
    expect(outputs.map((o) => o.value)).toEqual([{ customer: 'ada', file: 'orders.jsonl', pipeline: 'orders', qty: 5, last_seen: 1234 }]);
  });

  it('falls back to the jsonata package for expressions outside the fast subset (process returns a promise)', async () => {
    const config = { each: '$filter(stats, function($s) { $s.base_stat > 60 })', groupBy: { stat_type: '$join([stat.name, "!"])' }, metrics: { n: { fn: 'count' }, top: { fn: 'max', of: '$sum([base_stat, 0])' } }, persistState: false, updatedAtField: '' };
    const { config: prepared, context } = prepare(aggregate, config);
    const transform = aggregate.create(prepared, context);
    const pending = transform.process(bulbasaur);
    expect(pending).toBeInstanceOf(Promise);
    expect(((await pending) as SluiceRecord[]).map((o) => o.value)).toEqual([
      { stat_type: 'special-attack!', n: 1, top: 65 },
      { stat_type: 'special-defense!', n: 1, top: 65 },
    ]);
  });

  it('answers synchronously when every expression runs on the fast evaluator', async () => {
    const { config, context } = prepare(aggregate, POKEMON_STATS);
    const result = aggregate.create(config, context).process(bulbasaur);
    expect(result).not.toBeInstanceOf(Promise);
    expect(result).toHaveLength(6);
  });
});

describe('aggregate: passThrough', () => {
  it('emits the input record unchanged first, then the aggregates', async () => {
    const { outputs } = await runTransform(aggregate, { ...POKEMON_STATS, passThrough: true }, [bulbasaur, charizard]);
    expect(outputs).toHaveLength(14);
    expect(outputs[0]).toBe(bulbasaur);
    expect(outputs.slice(1, 7).map((o) => o.key)).toEqual(['hp', 'attack', 'defense', 'special-attack', 'special-defense', 'speed']);
    expect(outputs[7]).toBe(charizard);
  });

  it('passes on a record that contributes nothing', async () => {
    const input = makeRecord({ stats: [] });
    const { outputs, dropped } = await runTransform(aggregate, { ...POKEMON_STATS, passThrough: true, distinct: undefined }, [input]);
    expect(outputs).toEqual([input]);
    expect(dropped).toEqual([]);
  });

  it('does not pass on a record that is dead-lettered', async () => {
    const { outputs, deadLetters } = await runTransform(aggregate, { ...POKEMON_STATS, passThrough: true }, [makeRecord({ stats: [] })]);
    expect(outputs).toEqual([]);
    expect(deadLetters).toHaveLength(1);
  });
});

describe('aggregate: tumbling windows', () => {
  const HOUR = 3_600_000;
  const T0 = Date.UTC(2024, 0, 1);
  const event = (status: string, at: number, amount = 1) => makeRecord({ status, amount }, { timestamp: T0 + at });
  const HOURLY = { groupBy: { status: 'status' }, metrics: { events: { fn: 'count' }, total: { fn: 'sum', of: 'amount' } }, window: { sizeMs: HOUR }, persistState: false, updatedAtField: '' };

  it('assigns records to [start, end) windows and keys groups by window', async () => {
    const { outputs, deadLetters } = await runTransform(aggregate, HOURLY, [event('ok', 0), event('ok', HOUR - 1, 2), event('ok', HOUR, 5), event('failed', 10)]);
    expect(deadLetters).toEqual([]);
    expect(outputs.map((o) => [o.key, o.value])).toEqual([
      ['ok|2024-01-01T00:00:00.000Z', { status: 'ok', window_start: '2024-01-01T00:00:00.000Z', window_end: '2024-01-01T01:00:00.000Z', events: 1, total: 1 }],
      ['ok|2024-01-01T00:00:00.000Z', { status: 'ok', window_start: '2024-01-01T00:00:00.000Z', window_end: '2024-01-01T01:00:00.000Z', events: 2, total: 3 }],
      ['ok|2024-01-01T01:00:00.000Z', { status: 'ok', window_start: '2024-01-01T01:00:00.000Z', window_end: '2024-01-01T02:00:00.000Z', events: 1, total: 5 }],
      ['failed|2024-01-01T00:00:00.000Z', { status: 'failed', window_start: '2024-01-01T00:00:00.000Z', window_end: '2024-01-01T01:00:00.000Z', events: 1, total: 1 }],
    ]);
  });

  it('names the window fields after windowStartField and windowEndField', async () => {
    const { outputs } = await runTransform(aggregate, { ...HOURLY, windowStartField: 'hour', windowEndField: 'hour_end', updatedAtField: 'at' }, [event('ok', 0)]);
    expect(Object.keys(outputs[0]!.value as object)).toEqual(['status', 'hour', 'hour_end', 'events', 'total', 'at']);
  });

  it('closes windows ending more than allowedLatenessMs (default: sizeMs) before the newest end, and dead-letters late records', async () => {
    const { config, context } = prepare(aggregate, HOURLY);
    const transform = aggregate.create(config, context);
    await transform.process(event('ok', 10));
    await transform.process(event('ok', HOUR + 10));
    expect((await transform.health!()).details).toEqual(expect.objectContaining({ windowsOpen: 2, groups: 2 }));
    // Newest end 03:00: [00:00, 01:00) is closed (2 h before), [01:00, 02:00) still open (exactly 1 h).
    await transform.process(event('ok', 2 * HOUR + 30));
    expect((await transform.health!()).details).toEqual(expect.objectContaining({ windowsOpen: 2, groups: 2 }));
    expect(() => transform.process(event('ok', 20))).toThrow('late record for closed window [2024-01-01T00:00:00.000Z, 2024-01-01T01:00:00.000Z)');
    const stillOpen = transform.process(event('ok', HOUR + 20)) as SluiceRecord[];
    expect(stillOpen.map((o) => (o.value as { events: number }).events)).toEqual([2]);
  });

  it('dead-letters late records through the runtime path (not retryable), and keeps going', async () => {
    const { outputs, deadLetters } = await runTransform(aggregate, { ...HOURLY, window: { sizeMs: HOUR, allowedLatenessMs: 0 } }, [event('ok', HOUR), event('ok', 10), event('ok', HOUR + 1)]);
    expect(deadLetters).toEqual([{ record: expect.anything(), error: 'late record for closed window [2024-01-01T00:00:00.000Z, 2024-01-01T01:00:00.000Z)', retryable: false }]);
    expect(outputs.map((o) => (o.value as { events: number }).events)).toEqual([1, 2]);
  });

  it('keeps windows open for allowedLatenessMs after a newer window end, then evicts them and refuses their records', async () => {
    const { config, context } = prepare(aggregate, { ...HOURLY, window: { sizeMs: HOUR, allowedLatenessMs: 2 * HOUR } });
    const transform = aggregate.create(config, context);
    transform.process(event('ok', 0));
    transform.process(event('ok', 2 * HOUR + 1));
    // [00:00, 01:00) ends exactly 2 h before the newest end 03:00: still open.
    expect((transform.process(event('ok', 5)) as SluiceRecord[])[0]!.value).toEqual(expect.objectContaining({ events: 2 }));
    expect((await transform.health!()).details).toEqual(expect.objectContaining({ windowsOpen: 2, groups: 2 }));
    transform.process(event('ok', 3 * HOUR));
    expect((await transform.health!()).details).toEqual(expect.objectContaining({ windowsOpen: 2, groups: 2 }));
    expect(() => transform.process(event('ok', 5))).toThrow('late record for closed window [2024-01-01T00:00:00.000Z, 2024-01-01T01:00:00.000Z)');
  });

  it('handles timestamps before 1970 (floor, not truncation)', async () => {
    const { outputs } = await runTransform(aggregate, { ...HOURLY, persistState: false }, [makeRecord({ status: 'ok', amount: 1 }, { timestamp: -1 })]);
    expect(outputs[0]!.value).toEqual(expect.objectContaining({ window_start: '1969-12-31T23:00:00.000Z', window_end: '1970-01-01T00:00:00.000Z' }));
  });

  it('counts distinct entities per window', async () => {
    const config = { groupBy: { status: 'status' }, distinct: 'id', metrics: { n: { fn: 'count' } }, window: { sizeMs: HOUR }, persistState: false, updatedAtField: '' };
    const at = (id: number, ms: number) => makeRecord({ id, status: 'ok' }, { timestamp: T0 + ms });
    const { outputs } = await runTransform(aggregate, config, [at(1, 0), at(1, 10), at(1, HOUR), at(2, HOUR + 1)]);
    expect(outputs.map((o) => [o.key, (o.value as { n: number }).n])).toEqual([
      ['ok|2024-01-01T00:00:00.000Z', 1],
      ['ok|2024-01-01T00:00:00.000Z', 1],
      ['ok|2024-01-01T01:00:00.000Z', 1],
      ['ok|2024-01-01T01:00:00.000Z', 2],
    ]);
  });
});

describe('aggregate: records that fail go to the dead-letter destination', () => {
  const BY_G = { groupBy: { g: 'g' }, metrics: { total: { fn: 'sum', of: 'v' } }, persistState: false, updatedAtField: '' };

  async function errorOf(config: object, value: unknown): Promise<string> {
    const { deadLetters, outputs } = await runTransform(aggregate, config, [makeRecord(value)]);
    expect(outputs).toEqual([]);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]!.retryable).toBe(false);
    return deadLetters[0]!.error;
  }

  it('a missing group value, naming the field', async () => {
    expect(await errorOf(BY_G, { v: 1 })).toBe('groupBy.g yielded nothing for element 0: the element has no group (set skipMissingGroups to skip such elements)');
    expect(await errorOf(POKEMON_STATS, { id: 1, stats: [{ base_stat: 1, stat: { name: 'hp' } }, { base_stat: 2, stat: {} }] })).toBe(
      'groupBy.stat_type yielded nothing for element 1: the element has no group (set skipMissingGroups to skip such elements)',
    );
    expect(await errorOf(BY_G, { g: null, v: 1 })).toMatch(/^groupBy\.g yielded null for element 0/);
  });

  it('skips elements without a group value with skipMissingGroups', async () => {
    const { outputs, deadLetters } = await runTransform(aggregate, { ...POKEMON_STATS, skipMissingGroups: true, updatedAtField: '' }, [
      makeRecord({ id: 1, stats: [{ base_stat: 1, stat: { name: 'hp' } }, { base_stat: 2, stat: {} }, { base_stat: 3, stat: { name: null } }] }),
    ]);
    expect(deadLetters).toEqual([]);
    expect(outputs.map((o) => o.value)).toEqual([{ stat_type: 'hp', avg_value: 1, max_value: 1, min_value: 1, count_pokemon: 1 }]);
  });

  it('a group value that is an object or array', async () => {
    expect(await errorOf(BY_G, { g: { a: 1 }, v: 1 })).toBe('groupBy.g must yield a string, number or boolean, got an object for element 0');
    expect(await errorOf(BY_G, { g: [1, 2], v: 1 })).toBe('groupBy.g must yield a string, number or boolean, got an array for element 0');
  });

  it('a non-numeric metric value, naming the metric', async () => {
    expect(await errorOf(BY_G, { g: 'a', v: 'abc' })).toBe('metrics.total must yield a number (or a numeric string), got the string "abc" for element 0');
    expect(await errorOf(BY_G, { g: 'a', v: { n: 1 } })).toBe('metrics.total must yield a number (or a numeric string), got an object for element 0');
    expect(await errorOf(BY_G, { g: 'a', v: true })).toBe('metrics.total must yield a number (or a numeric string), got the boolean true for element 0');
    expect(await errorOf(BY_G, { g: 'a', v: ' ' })).toMatch(/^metrics\.total must yield a number/);
  });

  it('counts any non-null value with count and `of` (strings included)', async () => {
    const { outputs } = await runTransform(aggregate, { groupBy: { g: 'g' }, metrics: { named: { fn: 'count', of: 'name' } }, persistState: false, updatedAtField: '' }, [{ g: 'a', name: 'x' }, { g: 'a' }]);
    expect(outputs.map((o) => o.value)).toEqual([{ g: 'a', named: 1 }, { g: 'a', named: 1 }]);
  });

  it('a record without an entity id when distinct is set', async () => {
    expect(await errorOf(POKEMON_STATS, { stats: [] })).toBe('distinct yielded nothing: the record has no entity id to count once');
    expect(await errorOf(POKEMON_STATS, { id: null, stats: [] })).toBe('distinct yielded null: the record has no entity id to count once');
  });

  it('an expression that fails, naming it', async () => {
    expect(await errorOf({ ...BY_G, each: 'items + 1' }, { items: 'x' })).toMatch(/^each failed: The left side of the "\+" operator must evaluate to a number \(T2001/);
    expect(await errorOf({ ...BY_G, groupBy: { g: '$uppercase(g)' } }, { g: 5, v: 1 })).toMatch(/^groupBy\.g failed: Argument 1 of function "uppercase" does not match function signature/);
    expect(await errorOf({ ...BY_G, metrics: { total: { fn: 'sum', of: 'v * 2' } } }, { g: 'a', v: 'x' })).toMatch(/^metrics\.total\.of failed: /);
    expect(await errorOf({ ...POKEMON_STATS, distinct: 'id + 1' }, { id: 'x', stats: [] })).toMatch(/^distinct failed: /);
  });

  it('an invalid timestamp when windowed', async () => {
    const { deadLetters } = await runTransform(aggregate, { ...BY_G, window: { sizeMs: 1000 } }, [makeRecord({ g: 'a', v: 1 }, { timestamp: Number.NaN })]);
    expect(deadLetters[0]!.error).toBe('the record timestamp NaN is not a valid time (epoch milliseconds): it cannot be placed in a window');
  });

  it('a failing record leaves no trace in the aggregates (all or nothing)', async () => {
    const config = { each: 'items', ...BY_G };
    const { outputs, deadLetters } = await runTransform(aggregate, config, [{ items: [{ g: 'a', v: 1 }] }, { items: [{ g: 'a', v: 10 }, { g: 'b', v: 'bad' }] }, { items: [{ g: 'a', v: 1 }] }]);
    expect(deadLetters).toHaveLength(1);
    expect(outputs.map((o) => o.value)).toEqual([{ g: 'a', total: 1 }, { g: 'a', total: 2 }]);
  });
});

describe('aggregate: maxGroups', () => {
  const BY_G = { groupBy: { g: 'g' }, metrics: { n: { fn: 'count' } }, persistState: false, updatedAtField: '', maxGroups: 2 };

  it('dead-letters the record that would create a group beyond maxGroups; existing groups keep working', async () => {
    const { outputs, deadLetters } = await runTransform(aggregate, BY_G, [{ g: 'a' }, { g: 'b' }, { g: 'c' }, { g: 'a' }]);
    expect(deadLetters.map((d) => [d.error, d.retryable])).toEqual([['maxGroups (2) reached: the record would create the new group "c"', false]]);
    expect(outputs.map((o) => o.value)).toEqual([{ g: 'a', n: 1 }, { g: 'b', n: 1 }, { g: 'a', n: 2 }]);
  });

  it('refuses a record whose elements would create several groups as a whole', async () => {
    const { outputs, deadLetters } = await runTransform(aggregate, { ...BY_G, each: 'items', maxGroups: 3 }, [{ items: [{ g: 'a' }, { g: 'b' }] }, { items: [{ g: 'a' }, { g: 'c' }, { g: 'd' }] }]);
    expect(deadLetters[0]!.error).toBe('maxGroups (3) reached: the record would create the new group "c"');
    expect(outputs).toHaveLength(2);
  });

  it('lets an entity move to a new group when the group it leaves (and is alone in) makes room', async () => {
    const config = { ...BY_G, distinct: 'id' };
    const { outputs, deadLetters } = await runTransform(aggregate, config, [{ id: 1, g: 'a' }, { id: 2, g: 'b' }, { id: 1, g: 'c' }, { id: 3, g: 'd' }]);
    expect(deadLetters.map((d) => d.error)).toEqual(['maxGroups (2) reached: the record would create the new group "d"']);
    expect(outputs.map((o) => [o.key, o.value])).toEqual([
      ['a', { g: 'a', n: 1 }],
      ['b', { g: 'b', n: 1 }],
      ['c', { g: 'c', n: 1 }],
      ['a', { g: 'a', n: 0 }],
    ]);
  });

  it('evicts closed windows first', async () => {
    const HOUR = 3_600_000;
    const config = { ...BY_G, maxGroups: 1, window: { sizeMs: HOUR, allowedLatenessMs: 0 } };
    const { outputs, deadLetters } = await runTransform(aggregate, config, [
      makeRecord({ g: 'a' }, { timestamp: 0 }),
      makeRecord({ g: 'b' }, { timestamp: 10 }),
      makeRecord({ g: 'b' }, { timestamp: HOUR }),
    ]);
    expect(deadLetters.map((d) => d.error)).toEqual(['maxGroups (1) reached: the record would create the new group "b|1970-01-01T00:00:00.000Z"']);
    expect(outputs.map((o) => o.key)).toEqual(['a|1970-01-01T00:00:00.000Z', 'b|1970-01-01T01:00:00.000Z']);
  });
});
