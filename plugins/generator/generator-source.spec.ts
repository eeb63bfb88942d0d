import { describe, expect, it } from '@jest/globals';
import { runSource, validateConfig, type SourceRecord } from '@sluice/sdk';
import generator from './index.js';
import { GeneratorConfig } from './generator.config.js';
import { GeneratorSource, SEQUENCE_LANE } from './generator-source.js';
import type { Clock } from '@sluice/sdk';

class FakeClock implements Clock {
  time = 0;
  now(): number {
    return this.time;
  }
}

function configOf(raw: Record<string, unknown>): GeneratorConfig {
  const { config, issues } = validateConfig(GeneratorConfig, raw);
  expect(issues).toEqual([]);
  return config;
}

const shape = {
  seed: 11,
  fields: { id: 'sequence', user: 'uuid', qty: { type: 'int', min: 1, max: 9 }, country: { type: 'pick', values: ['FR', 'DE', 'US'] } },
  keyField: 'user',
};

describe('generator source', () => {
  it('produces count records, then reports the end of its input', async () => {
    const result = await runSource(generator, { ...shape, count: 2500, batchSize: 1000 });
    expect(result.ended).toBe(true);
    expect(result.records).toHaveLength(2500);
    expect(result.failures).toEqual([]);
    expect(result.records.map((r) => (r.value as { id: number }).id)).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    expect(result.positions[0]).toEqual({ lane: SEQUENCE_LANE, offset: 0 });
    expect(result.checkpoint).toEqual({ [SEQUENCE_LANE]: 2499 });
    for (const record of result.records.slice(0, 20)) expect(record.key).toBe((record.value as { user: string }).user);
  });

  it('ends at once when count is 0', async () => {
    const result = await runSource(generator, { count: 0 });
    expect(result).toMatchObject({ ended: true, records: [] });
  });

  it('is reproducible: two runs with the same seed give the same records', async () => {
    const a = await runSource(generator, { ...shape, count: 300 });
    const b = await runSource(generator, { ...shape, count: 300 });
    expect(b.records.map((r) => [r.key, r.value])).toEqual(a.records.map((r) => [r.key, r.value]));
    const c = await runSource(generator, { ...shape, seed: 12, count: 300 });
    expect(c.records.map((r) => r.value)).not.toEqual(a.records.map((r) => r.value));
  });

  it('resumes right after the checkpoint with exactly the records of an uninterrupted run', async () => {
    const whole = await runSource(generator, { ...shape, count: 5000, batchSize: 700 });
    const first = await runSource(generator, { ...shape, count: 5000, batchSize: 700 }, { maxRecords: 1234 });
    expect(first.records).toHaveLength(1234);
    expect(first.checkpoint).toEqual({ [SEQUENCE_LANE]: 1233 });
    const second = await runSource(generator, { ...shape, count: 5000, batchSize: 700 }, { checkpoint: first.checkpoint, maxRecords: 2000 });
    const third = await runSource(generator, { ...shape, count: 5000, batchSize: 700 }, { checkpoint: second.checkpoint });
    expect(third.ended).toBe(true);
    const joined = [...first.records, ...second.records, ...third.records];
    expect(joined.map((r) => [r.key, r.value, r.origin.offset])).toEqual(whole.records.map((r) => [r.key, r.value, r.origin.offset]));
  });

  it('returns big batches when unpaced', async () => {
    const source = new GeneratorSource(configOf({ batchSize: 800 }));
    await source.start({ checkpoint: {}, signal: new AbortController().signal });
    const batch = await source.read(new AbortController().signal);
    expect(batch).toHaveLength(800);
    expect((await source.read(new AbortController().signal))?.[0].position).toEqual({ lane: SEQUENCE_LANE, offset: 800 });
  });

  it('never returns more records than the token bucket allows (injected clock)', async () => {
    const clock = new FakeClock();
    // 1000 records/s → chunks of 10 (10 ms worth), bucket capacity 10.
    const source = new GeneratorSource(configOf({ rate: 1000, batchSize: 500 }), clock);
    const signal = new AbortController().signal;
    await source.start({ checkpoint: {}, signal });
    const sizes: number[] = [];
    const read = async () => {
      const batch = (await source.read(signal)) as SourceRecord[];
      sizes.push(batch.length);
      return batch;
    };
    expect(await read()).toHaveLength(10); // the bucket starts full
    // No simulated time has passed: the source waits for the bucket (a real ~10 ms timer) and, the
    // clock not having moved, hands out nothing.
    expect(await read()).toEqual([]);
    clock.time += 4;
    expect(await read()).toHaveLength(4);
    clock.time += 1000; // a long pause refills only up to the capacity
    expect(await read()).toHaveLength(10);
    clock.time += 2.5;
    expect(await read()).toHaveLength(2);
    clock.time += 0.5;
    expect(await read()).toHaveLength(1);
    const produced = sizes.reduce((a, b) => a + b, 0);
    expect(produced).toBeLessThanOrEqual(10 + (1000 * clock.time) / 1000);
  });

  it('keeps sequence numbers contiguous across paced reads', async () => {
    const result = await runSource(generator, { ...shape, rate: 2000, count: 60 });
    expect(result.ended).toBe(true);
    expect(result.positions.map((p) => p.offset)).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });

  it('stops waiting for tokens when the signal aborts', async () => {
    const clock = new FakeClock();
    const source = new GeneratorSource(configOf({ rate: 0.001 }), clock);
    const controller = new AbortController();
    await source.start({ checkpoint: {}, signal: controller.signal });
    expect(await source.read(controller.signal)).toHaveLength(1);
    // The next token is 1000 s away; aborting must end the wait.
    const pending = source.read(controller.signal);
    controller.abort();
    await expect(pending).resolves.toEqual([]);
  });

  it('refuses a checkpoint that is not a sequence number', async () => {
    // Called directly: the harness leaves its timeout timer running when start() throws.
    const signal = new AbortController().signal;
    await expect(new GeneratorSource(configOf({})).start({ checkpoint: { [SEQUENCE_LANE]: 'x' }, signal })).rejects.toThrow('expected a sequence number');
    await expect(new GeneratorSource(configOf({})).start({ checkpoint: { [SEQUENCE_LANE]: -4 }, signal })).rejects.toThrow('expected a sequence number');
    await expect(new GeneratorSource(configOf({})).start({ checkpoint: { [SEQUENCE_LANE]: 1.5 }, signal })).rejects.toThrow('expected a sequence number');
  });

  it('ignores lanes it does not own and ends at once when the checkpoint is past count', async () => {
    const result = await runSource(generator, { count: 10 }, { checkpoint: { [SEQUENCE_LANE]: 9, other: 3 } });
    expect(result).toMatchObject({ ended: true, records: [] });
  });
});
