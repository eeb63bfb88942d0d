// Two members of one consumer group on the real Kafka of the integration project: what a rebalance
// does to buffered records and commits. Unique topic and group, deleted at the end.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { prepare, type SourceRecord } from '@sluice/sdk';
import { Kafka, logLevel, Partitioners, type Admin } from 'kafkajs';
import kafkaSource from './index.js';
import type { KafkaSource } from './kafka-source.js';

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
const RUN = `${process.pid}-${Date.now().toString(36)}`;
const TOPIC = `sluice-it-source-rebalance-${RUN}`;
const GROUP = `${TOPIC}-group`;
const kafka = new Kafka({ brokers: BROKERS, clientId: 'sluice-test', logLevel: logLevel.NOTHING });
const admin: Admin = kafka.admin();
const sources: KafkaSource[] = [];

function createSource(): KafkaSource {
  const { config, context } = prepare(kafkaSource, { brokers: BROKERS, topics: [TOPIC], groupId: GROUP, fromBeginning: true, fetchMaxWaitMs: 100, sessionTimeoutMs: 6000 });
  const source = kafkaSource.create(config, context) as KafkaSource;
  sources.push(source);
  return source;
}

async function readAtLeast(source: KafkaSource, count: number): Promise<SourceRecord[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 20_000);
  const records: SourceRecord[] = [];
  try {
    while (records.length < count && !controller.signal.aborted) records.push(...((await source.read(controller.signal)) ?? []));
  } finally {
    clearTimeout(timer);
  }
  if (records.length < count) throw new Error(`read ${records.length} records, expected ${count}`);
  return records;
}

const partitionsOf = (source: KafkaSource) => (source.health().details?.partitions as string[] | undefined) ?? [];

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 800 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!condition()) throw new Error(`timed out waiting until ${what}`);
}

async function committed(): Promise<Record<number, number>> {
  const [entry] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
  return Object.fromEntries(entry!.partitions.map((p) => [p.partition, Number(p.offset)]));
}

beforeAll(async () => {
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 2, replicationFactor: 1 }] });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({
    topic: TOPIC,
    acks: -1,
    messages: Array.from({ length: 20 }, (_, i) => ({ partition: i % 2, value: JSON.stringify({ i }) })),
  });
  await producer.disconnect();
}, 30_000);

afterAll(async () => {
  for (const source of sources) await source.stop();
  await admin.deleteGroups([GROUP]).catch(() => undefined);
  await admin.deleteTopics({ topics: [TOPIC] });
  await admin.disconnect();
}, 30_000);

describe('kafka source in a rebalance', () => {
  it('keeps reading a partition it keeps where it was, commits only what it owns; the new owner re-reads the uncommitted rest', async () => {
    const first = createSource();
    await first.start({ checkpoint: {}, signal: new AbortController().signal });
    const read = await readAtLeast(first, 20);
    expect(partitionsOf(first)).toEqual([`${TOPIC}/0`, `${TOPIC}/1`]);

    const second = createSource();
    await second.start({ checkpoint: {}, signal: new AbortController().signal });
    await until(() => partitionsOf(first).length === 1 && partitionsOf(second).length === 1, 'each member owns one partition');
    const kept = partitionsOf(first)[0]!;
    const moved = partitionsOf(second)[0]!;
    const keptPartition = Number(kept.split('/')[1]);
    const movedPartition = Number(moved.split('/')[1]);

    // The runtime acknowledges everything the first member read, of both partitions: only the
    // partition it still owns is committed.
    const checkpoint: Record<string, number> = {};
    for (const record of read) checkpoint[record.position!.lane] = record.position!.offset as number;
    expect(checkpoint).toEqual({ [`${TOPIC}/0`]: 9, [`${TOPIC}/1`]: 9 });
    await expect(first.commit(checkpoint)).resolves.toBeUndefined();
    expect(await committed()).toEqual({ [keptPartition]: 10, [movedPartition]: -1 });

    // Nothing is lost: the new owner starts from the group's offset, which the first never moved.
    const again = await readAtLeast(second, 10);
    expect(again.map((r) => r.position)).toEqual(Array.from({ length: 10 }, (_, offset) => ({ lane: moved, offset })));
    await second.commit({ [moved]: 9 });
    expect(await committed()).toEqual({ 0: 10, 1: 10 });

    // The member that kept its partition continues after what it had read: nothing is read twice.
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: TOPIC, acks: -1, messages: [{ partition: keptPartition, value: '{"late":1}' }, { partition: keptPartition, value: '{"late":2}' }] });
    await producer.disconnect();
    const late = await readAtLeast(first, 2);
    expect(late.map((r) => r.position)).toEqual([
      { lane: kept, offset: 10 },
      { lane: kept, offset: 11 },
    ]);
    expect(first.health().details).toMatchObject({ groupJoins: 2, commitFailures: 0 });
  }, 60_000);
});
