// Runs against the real Kafka of the integration project (KAFKA_BROKERS, started by globalSetup).
// The records are written with the `kafka` sink plugin (a round trip through both plugins); every
// topic and consumer group gets a unique name and is deleted at the end.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeRecord, prepare, runSink, runSource, type SluiceRecord, type SourceRecord } from '@sluice/sdk';
import { Kafka, logLevel, Partitioners, type Admin } from 'kafkajs';
import kafkaSink from '../sink/index.js';
import kafkaSource from './index.js';
import type { KafkaSource } from './kafka-source.js';

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
const RUN = `${process.pid}-${Date.now().toString(36)}`;
const admin: Admin = new Kafka({ brokers: BROKERS, clientId: 'sluice-test', logLevel: logLevel.NOTHING }).admin();
const topics: string[] = [];
const groups: string[] = [];
const sources: KafkaSource[] = [];

function topicName(label: string): string {
  const topic = `sluice-it-source-${label}-${RUN}`;
  topics.push(topic);
  return topic;
}

function groupName(label: string): string {
  const group = `sluice-it-source-${label}-${RUN}-group`;
  groups.push(group);
  return group;
}

const sourceConfig = (topic: string, groupId: string, raw: Record<string, unknown> = {}) => ({
  brokers: BROKERS,
  topics: [topic],
  groupId,
  fromBeginning: true,
  fetchMaxWaitMs: 100,
  sessionTimeoutMs: 6000,
  ...raw,
});

function createSource(raw: Record<string, unknown>): KafkaSource {
  const { config, context } = prepare(kafkaSource, raw);
  const source = kafkaSource.create(config, context) as KafkaSource;
  sources.push(source);
  return source;
}

async function start(source: KafkaSource): Promise<void> {
  await source.start({ checkpoint: {}, signal: new AbortController().signal });
}

/** Reads until `count` records arrived (generous deadline: group joins take a moment). */
async function readAtLeast(source: KafkaSource, count: number, timeoutMs = 20_000): Promise<SourceRecord[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const records: SourceRecord[] = [];
  try {
    while (records.length < count && !controller.signal.aborted) records.push(...((await source.read(controller.signal)) ?? []));
  } finally {
    clearTimeout(timer);
  }
  if (records.length < count) throw new Error(`read ${records.length} records, expected at least ${count}`);
  return records;
}

/** Committed offsets of a group per partition (-1: none). */
async function committed(groupId: string, topic: string): Promise<Record<number, number>> {
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return Object.fromEntries(entry!.partitions.map((p) => [p.partition, Number(p.offset)]));
}

/** The runtime's view after handling records: lane → offset of the last one (what commit() gets). */
function checkpointOf(records: readonly SourceRecord[]): Record<string, number> {
  const checkpoint: Record<string, number> = {};
  for (const record of records) checkpoint[record.position!.lane] = record.position!.offset as number;
  return checkpoint;
}

function byLane(records: readonly SourceRecord[]): Map<string, SourceRecord[]> {
  const lanes = new Map<string, SourceRecord[]>();
  for (const record of records) {
    const lane = record.position!.lane;
    if (!lanes.has(lane)) lanes.set(lane, []);
    lanes.get(lane)!.push(record);
  }
  return lanes;
}

function partitionOf(key: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
  return Partitioners.DefaultPartitioner()({ topic: 't', partitionMetadata, message: { key, value: null } });
}

const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];
const BASE_TIME = Date.now() - 60_000;

function keyed(from: number, count: number): SluiceRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const seq = from + i;
    const key = KEYS[seq % KEYS.length]!;
    return makeRecord({ seq, key }, { key, headers: { 'x-seq': String(seq), 'x-origin': 'sluice-test' }, timestamp: BASE_TIME + seq });
  });
}

async function write(topic: string, batches: ReadonlyArray<readonly unknown[]>, raw: Record<string, unknown> = {}): Promise<void> {
  const result = await runSink(kafkaSink, { brokers: BROKERS, topic, ...raw }, batches);
  expect(result.failed).toEqual([]);
}

beforeAll(async () => {
  await admin.connect();
}, 30_000);

afterAll(async () => {
  for (const source of sources) await source.stop();
  const existingGroups = new Set((await admin.listGroups()).groups.map((g) => g.groupId));
  const mineGroups = groups.filter((g) => existingGroups.has(g));
  if (mineGroups.length > 0) await admin.deleteGroups(mineGroups).catch(() => undefined);
  const existing = new Set(await admin.listTopics());
  const mine = topics.filter((t) => existing.has(t));
  if (mine.length > 0) await admin.deleteTopics({ topics: mine });
  await admin.disconnect();
}, 30_000);

describe('kafka source and sink on a real broker: compressed batches', () => {
  // Neither plugin is told about codecs: without the snappy/lz4 codecs they register for the
  // process, the sink fails with "Snappy compression not implemented" (the source too, reading).
  it.each(['gzip', 'snappy', 'lz4'] as const)('writes and reads %s-compressed batches', async (compression) => {
    const topic = topicName(`compressed-${compression}`);
    await write(topic, [keyed(0, 40), keyed(40, 60)], { createTopic: { partitions: 1, replicationFactor: 1 }, compression });
    const source = createSource(sourceConfig(topic, groupName(`compressed-${compression}`)));
    await start(source);
    const records = await readAtLeast(source, 100);
    expect(records.map((r) => (r.value as { seq: number }).seq)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(records.every((r) => r.failure === undefined)).toBe(true);
  });
});

describe('kafka source on a real broker', () => {
  const keyedTopic = topicName('keyed');
  const group = groupName('keyed');

  it('reads what the sink wrote, in per-partition order, with key, headers and timestamp; commit moves the group to last + 1', async () => {
    await write(keyedTopic, [keyed(0, 12), keyed(12, 18)], { createTopic: { partitions: 3, replicationFactor: 1 }, compression: 'gzip' });
    const source = createSource(sourceConfig(keyedTopic, group));
    await start(source);
    const records = await readAtLeast(source, 30);
    expect(records).toHaveLength(30);
    expect(records.every((r) => r.failure === undefined)).toBe(true);
    expect(records.map((r) => (r.value as { seq: number }).seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    for (const record of records) {
      const { seq, key } = record.value as { seq: number; key: string };
      const partition = partitionOf(key, 3);
      expect(record.key).toBe(key);
      expect(record.timestamp).toBe(BASE_TIME + seq);
      expect(record.position?.lane).toBe(`${keyedTopic}/${partition}`);
      expect(record.headers).toEqual({
        'x-seq': String(seq),
        'x-origin': 'sluice-test',
        'kafka.topic': keyedTopic,
        'kafka.partition': String(partition),
        'kafka.offset': String(record.position?.offset),
      });
    }
    const lanes = byLane(records);
    for (const lane of lanes.values()) {
      // Offsets 0, 1, 2, ... with nothing missing, and the writer's order kept within the lane.
      expect(lane.map((r) => r.position!.offset)).toEqual(lane.map((_, i) => i));
      const seqs = lane.map((r) => (r.value as { seq: number }).seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    expect(source.health()).toMatchObject({ status: 'up', details: { groupId: group, connected: true, lag: 0, partitions: [0, 1, 2].map((p) => `${keyedTopic}/${p}`) } });

    // The runtime handled everything, except the tail of one lane.
    const checkpoint = checkpointOf(records);
    const [partialLane, partialRecords] = [...lanes.entries()].find(([, lane]) => lane.length >= 2)!;
    checkpoint[partialLane] = partialRecords.length - 2;
    await source.commit(checkpoint);
    const expected: Record<number, number> = {};
    for (const [lane, offset] of Object.entries(checkpoint)) expected[Number(lane.split('/')[1])] = offset + 1;
    expect(await committed(group, keyedTopic)).toEqual(expected);
    await source.stop();
    expect(source.health()).toMatchObject({ status: 'down' });
  }, 40_000);

  it('resumes after a restart right after the committed offsets: nothing read again, nothing skipped', async () => {
    const before = await committed(group, keyedTopic);
    const ends = Object.fromEntries((await admin.fetchTopicOffsets(keyedTopic)).map((o) => [o.partition, Number(o.high)]));
    const uncommitted = Object.entries(before).reduce((n, [p, offset]) => n + ends[Number(p)]! - offset, 0);
    expect(uncommitted).toBe(1);
    await write(keyedTopic, [keyed(30, 6)]);
    const source = createSource(sourceConfig(keyedTopic, group));
    // The runtime's own checkpoint is ignored: the group holds the positions.
    await source.start({ checkpoint: { [`${keyedTopic}/0`]: 0, [`${keyedTopic}/1`]: 0, [`${keyedTopic}/2`]: 0 }, signal: new AbortController().signal });
    const records = await readAtLeast(source, 7);
    const seqs = records.map((r) => (r.value as { seq: number }).seq).sort((a, b) => a - b);
    expect(seqs).toHaveLength(7);
    expect(seqs.slice(1)).toEqual([30, 31, 32, 33, 34, 35]);
    for (const [lane, laneRecords] of byLane(records)) {
      const partition = Number(lane.split('/')[1]);
      expect(laneRecords[0]!.position!.offset).toBe(before[partition]);
      expect(laneRecords.map((r) => r.position!.offset)).toEqual(laneRecords.map((_, i) => before[partition]! + i));
    }
    await source.commit(checkpointOf(records));
    expect(await committed(group, keyedTopic)).toEqual(Object.fromEntries((await admin.fetchTopicOffsets(keyedTopic)).map((o) => [o.partition, Number(o.high)])));
    await source.stop();
  }, 40_000);

  it('turns a message that is not JSON into a failure and reads past it (the harness commits it too)', async () => {
    const topic = topicName('poison');
    const groupId = groupName('poison');
    await write(topic, [['{"n":1}', '{not json', '{"n":3}']], { createTopic: { partitions: 1, replicationFactor: 1 }, format: 'string' });
    const result = await runSource(kafkaSource, sourceConfig(topic, groupId), { maxRecords: 3, timeoutMs: 20_000 });
    expect(result.records.map((r) => r.value)).toEqual([{ n: 1 }, { n: 3 }]);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]!.reason).toMatch(new RegExp(`^kafka: message at ${topic}/0 offset 1: value is not valid JSON`));
    expect(result.failures[0]!.record.value).toBe('{not json');
    expect(result.positions.map((p) => p.offset)).toEqual([0, 1, 2]);
    expect(await committed(groupId, topic)).toEqual({ 0: 3 });
  }, 40_000);

  it('never buffers more than maxBufferedMessages and still delivers everything in order', async () => {
    const topic = topicName('backpressure');
    const groupId = groupName('backpressure');
    const values = Array.from({ length: 60 }, (_, i) => ({ i }));
    await write(topic, [values], { createTopic: { partitions: 1, replicationFactor: 1 } });
    const source = createSource(sourceConfig(topic, groupId, { maxBufferedMessages: 5 }));
    await start(source);
    // Nobody reads: the fetch loop fills the buffer and then waits.
    for (let i = 0; i < 400 && source.health().details?.buffered !== 5; i++) await new Promise((r) => setTimeout(r, 25));
    const full = source.health().details!;
    expect(full).toMatchObject({ buffered: 5, peakBuffered: 5 });
    expect(full.lag as number).toBeGreaterThan(5);
    await new Promise((r) => setTimeout(r, 300));
    expect(source.health().details).toMatchObject({ buffered: 5, peakBuffered: 5 });
    const seen: unknown[] = [];
    while (seen.length < 60) {
      const batch = await readAtLeast(source, 1);
      expect(batch.length).toBeLessThanOrEqual(5);
      seen.push(...batch.map((r) => r.value));
    }
    expect(seen).toEqual(values);
    expect(source.health().details).toMatchObject({ peakBuffered: 5, lag: 0 });
    await source.stop();
  }, 40_000);
});
