import type { KeyedStateTransform, PluginLogger, SluiceRecord, StateShare } from '@sluice/sdk';
import { markChannelPosition, MemoryStateChangelog } from '#transports';
import { PartitionedTransform } from './partitioned-transform.js';
import { readShare, shareCopy } from './state-share-header.js';
import { keyedOutlet } from './keyed-outlet.js';
import type { ChannelTransport } from '#transports';

const logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as unknown as PluginLogger;

/** Counts records per `value.keys[i]`: a share adds one to its key and emits the key's count. */
class CountPerKey implements KeyedStateTransform {
  counts = new Map<string, number>();
  stateKeys(record: SluiceRecord): string[] {
    return (record.value as { keys: string[] }).keys;
  }
  processShare(record: SluiceRecord, share: StateShare): SluiceRecord[] {
    const count = (this.counts.get(share.key) ?? 0) + 1;
    this.counts.set(share.key, count);
    const out = { ...record, key: share.key, value: { key: share.key, count } };
    return share.primary ? [record, out] : [out];
  }
  process(record: SluiceRecord): SluiceRecord {
    return record;
  }
  snapshotState(): unknown {
    return Object.fromEntries(this.counts);
  }
  restoreState(state: unknown): void {
    this.counts = new Map(Object.entries(state as Record<string, number>));
  }
}

function record(keys: string[], id: string): SluiceRecord {
  return { key: id, value: { keys }, headers: {}, timestamp: 0, origin: { pipeline: 'p', source: 's', lane: 'l', offset: id } };
}

/** The shares of `source` as they come off partition `partition` at offsets from `offset`. */
function read(source: SluiceRecord, partition: number, offset: number): SluiceRecord[] {
  const keys = (source.value as { keys: string[] }).keys;
  return keys.map((key, index) => {
    const share = shareCopy(source, key, index === 0);
    markChannelPosition(share, { partition, offset: String(offset + index) });
    return share;
  });
}

async function run(transform: PartitionedTransform, records: SluiceRecord[]): Promise<SluiceRecord[]> {
  await transform.beginBatch();
  const outputs: SluiceRecord[] = [];
  for (const r of records) {
    const result = await transform.process(r);
    if (Array.isArray(result)) outputs.push(...(result as SluiceRecord[]));
    else if (result) outputs.push(result as SluiceRecord);
  }
  return outputs;
}

const counts = (outputs: SluiceRecord[]) => outputs.filter((o) => (o.value as { count?: number }).count !== undefined).map((o) => o.value);

describe('a keyed-state stage over a partitioned channel (PartitionedTransform)', () => {
  it('hands each share to its partition’s instance, the record itself once (primary) with its own key', async () => {
    const transform = new PartitionedTransform({ create: () => new CountPerKey(), changelog: new MemoryStateChangelog('c'), logger });
    await transform.start();
    const outputs = await run(transform, [...read(record(['a', 'b'], 'r1'), 0, 0), ...read(record(['a'], 'r2'), 1, 0)]);
    await transform.flush();
    expect(counts(outputs)).toEqual([
      { key: 'a', count: 1 },
      { key: 'b', count: 1 },
      // partition 1 has an instance of its own: its "a" starts at 1
      { key: 'a', count: 1 },
    ]);
    const passed = outputs.filter((o) => (o.value as { keys?: string[] }).keys);
    expect(passed.map((o) => [o.key, o.headers])).toEqual([
      ['r1', {}],
      ['r2', {}],
    ]);
  });

  it('writes each changed partition to the changelog with its offset; the next owner restores it and skips what it covers', async () => {
    const changelog = new MemoryStateChangelog('c');
    const first = new PartitionedTransform({ create: () => new CountPerKey(), changelog, logger });
    await first.start();
    const batch = [...read(record(['a'], 'r1'), 0, 0), ...read(record(['a'], 'r2'), 0, 1)];
    await run(first, batch);
    await first.flush();
    expect(JSON.parse((await changelog.read('0'))!)).toEqual({ offset: '1', state: { a: 2 } });
    await first.stop();

    // Another host gets partition 0: the group re-delivers from an older commit (offset 1), then more.
    const second = new PartitionedTransform({ create: () => new CountPerKey(), changelog, logger });
    await second.start();
    second.onAssignment([0]);
    const outputs = await run(second, [batch[1]!, ...read(record(['a'], 'r3'), 0, 2)]);
    await second.flush();
    expect(counts(outputs)).toEqual([{ key: 'a', count: 3 }]);
    expect((await second.health()).details).toMatchObject({ replaysSkipped: 1 });
  });

  it('drops what a refused batch changed: the retried batch starts from the last flushed state', async () => {
    const transform = new PartitionedTransform({ create: () => new CountPerKey(), changelog: new MemoryStateChangelog('c'), logger });
    await transform.start();
    await run(transform, read(record(['a'], 'r1'), 0, 0));
    await transform.flush();
    const refused = read(record(['a'], 'r2'), 0, 1);
    await run(transform, refused); // no flush: the batch was not acknowledged downstream
    const retried = await run(transform, refused);
    await transform.flush();
    expect(counts(retried)).toEqual([{ key: 'a', count: 2 }]);
  });

  it('forgets its instances after a new assignment, so a partition that comes back is read from the changelog', async () => {
    const changelog = new MemoryStateChangelog('c');
    const mine = new PartitionedTransform({ create: () => new CountPerKey(), changelog, logger });
    await mine.start();
    await run(mine, read(record(['a'], 'r1'), 0, 0));
    await mine.flush();
    // Meanwhile another host owned partition 0 and counted on.
    await changelog.write('0', JSON.stringify({ offset: '5', state: { a: 6 } }));
    mine.onAssignment([0]);
    const outputs = await run(mine, read(record(['a'], 'r7'), 0, 6));
    expect(counts(outputs)).toEqual([{ key: 'a', count: 7 }]);
  });

  it('does not write a partition the group gave to another host meanwhile', async () => {
    const changelog = new MemoryStateChangelog('c');
    const transform = new PartitionedTransform({ create: () => new CountPerKey(), changelog, logger });
    await transform.start();
    transform.onAssignment([0, 1]);
    await run(transform, [...read(record(['a'], 'r1'), 0, 0), ...read(record(['b'], 'r2'), 1, 0)]);
    transform.onAssignment([1]);
    await transform.flush();
    expect(await changelog.read('0')).toBeUndefined();
    expect(JSON.parse((await changelog.read('1'))!)).toEqual({ offset: '0', state: { b: 1 } });
  });

  it('refuses a record that did not come from its channel', async () => {
    const transform = new PartitionedTransform({ create: () => new CountPerKey(), changelog: new MemoryStateChangelog('c'), logger });
    await expect(transform.process(record(['a'], 'r1'))).rejects.toThrow(/not read from its channel/);
  });
});

describe('the outlet before a keyed-state channel (keyedOutlet)', () => {
  it('publishes one share per state key, keyed by it; a record without keys (or whose keys fail) goes whole', async () => {
    const published: SluiceRecord[] = [];
    const transport = { publish: async (_channel: string, records: readonly SluiceRecord[]) => void published.push(...records) } as unknown as ChannelTransport;
    const keyer = new CountPerKey();
    keyer.stateKeys = (r: SluiceRecord) => {
      const keys = (r.value as { keys?: string[] }).keys;
      if (!keys) throw new Error('no keys');
      return keys;
    };
    await keyedOutlet(transport, 'ch', keyer).publish([record(['a', 'b'], 'r1'), record([], 'r2'), { ...record([], 'r3'), value: {} }]);
    expect(published.map((r) => r.key)).toEqual(['a', 'b', 'r2', 'r3']);
    expect(readShare(published[0]!)).toEqual({ record: record(['a', 'b'], 'r1'), share: { key: 'a', primary: true } });
    expect(readShare(published[1]!).share).toEqual({ key: 'b', primary: false });
    expect(readShare(published[2]!).share).toBeNull();
  });
});
