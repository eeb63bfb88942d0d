import { describe, expect, it } from '@jest/globals';
import { makeRecord, prepare, type SluiceRecord } from '@sluice/sdk';
import aggregate from './index.js';
import { AggregateTransform } from './aggregate.transform.js';
import type { AggregateConfig } from './aggregate.config.js';

/** A Pokémon as the pokemon-stream recipe has it once cleaned: stats as {name, base_stat}. */
function pokemon(id: number, stats: Record<string, number>, timestamp = 1_700_000_000_000): SluiceRecord {
  return makeRecord({ id, stats: Object.entries(stats).map(([name, base_stat]) => ({ name, base_stat })) }, { key: String(id), timestamp });
}

const STATS = {
  each: 'stats',
  groupBy: { stat_type: 'name' },
  distinct: 'id',
  metrics: { avg_value: { fn: 'avg', of: 'base_stat' }, max_value: { fn: 'max', of: 'base_stat' }, min_value: { fn: 'min', of: 'base_stat' }, count_pokemon: { fn: 'count' } },
  updatedAtField: '',
};

function instance(raw: object, managed: boolean): AggregateTransform {
  const { config, context } = prepare(aggregate, raw, { context: { stateManaged: managed } });
  return new AggregateTransform(config as AggregateConfig, context);
}

const asArray = (output: unknown): SluiceRecord[] => (Array.isArray(output) ? output : output ? [output as SluiceRecord] : []);

/** The last value per key: what an upserting sink holds. */
function rows(outputs: readonly SluiceRecord[]): Record<string, unknown> {
  return Object.fromEntries(outputs.map((o) => [o.key, o.value]));
}

/** Runs `records` as the runtime does over `partitions` partitions: each share to the instance of its key's partition. */
async function overPartitions(raw: object, records: readonly SluiceRecord[], partitions: number): Promise<SluiceRecord[]> {
  const instances = Array.from({ length: partitions }, () => instance(raw, true));
  const keyer = instance(raw, true);
  const owner = (key: string) => [...key].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % partitions;
  const outputs: SluiceRecord[] = [];
  for (const record of records) {
    const keys = await keyer.stateKeys(record);
    for (const [index, key] of keys.entries()) outputs.push(...asArray(await instances[owner(key)]!.processShare(record, { key, primary: index === 0 })));
  }
  return outputs;
}

describe('aggregate over partitions (keyed state)', () => {
  const records = [
    pokemon(1, { hp: 45, attack: 49, speed: 45 }),
    pokemon(6, { hp: 78, attack: 84, speed: 100 }),
    pokemon(25, { hp: 35, attack: 55, speed: 90 }),
    // Fetched again with other numbers: replaces its earlier contribution.
    pokemon(6, { hp: 80, attack: 84, speed: 101 }),
    pokemon(1, { hp: 45, attack: 49, speed: 45 }),
  ];

  it('names the groups a record counts in as its state keys', async () => {
    expect(await instance(STATS, true).stateKeys(records[0]!)).toEqual(['hp', 'attack', 'speed']);
    expect(await instance({ groupBy: { a: 'a', b: 'b' }, metrics: { n: { fn: 'count' } } }, true).stateKeys(makeRecord({ a: 'x|y', b: 2 }))).toEqual(['x\\|y|2']);
  });

  it('ends with the single instance’s rows on 1, 2 and 3 partitions (distinct entities replace themselves per group)', async () => {
    const single = instance(STATS, false);
    const alone: SluiceRecord[] = [];
    for (const record of records) alone.push(...asArray(await single.process(record)));
    for (const partitions of [1, 2, 3]) expect(rows(await overPartitions(STATS, records, partitions))).toEqual(rows(alone));
    expect(rows(alone).hp).toEqual({ stat_type: 'hp', avg_value: (45 + 80 + 35) / 3, max_value: 80, min_value: 35, count_pokemon: 3 });
  });

  it('passes a record through once, on its primary share', async () => {
    const raw = { ...STATS, passThrough: true };
    const outputs = await overPartitions(raw, [records[0]!], 2);
    expect(outputs.filter((o) => o.key === '1')).toHaveLength(1);
  });

  it('snapshots its state for the changelog and restores it on another instance; refuses another config’s', async () => {
    const first = instance(STATS, true);
    for (const record of records.slice(0, 3)) await first.processShare(record, { key: 'hp', primary: true });
    const saved = JSON.parse(JSON.stringify(first.snapshotState()));
    const second = instance(STATS, true);
    second.restoreState(saved);
    const [row] = asArray(await second.processShare(records[3]!, { key: 'hp', primary: false }));
    expect(row!.value).toEqual({ stat_type: 'hp', avg_value: (45 + 80 + 35) / 3, max_value: 80, min_value: 35, count_pokemon: 3 });
    expect(() => instance({ ...STATS, distinct: undefined }, true).restoreState(saved)).toThrow(/another groupBy/);
  });

  it('keeps no state file of its own when the runtime manages its state', async () => {
    expect((await instance(STATS, true).health()).details).not.toHaveProperty('stateFile');
    expect((await instance(STATS, false).health()).details).toHaveProperty('stateFile');
  });
});
