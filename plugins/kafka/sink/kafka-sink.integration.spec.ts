// Runs against the real Kafka of the integration project (KAFKA_BROKERS, started by globalSetup).
// Every topic gets a unique name and is deleted at the end.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeRecord, prepare, RecordError, type SluiceRecord } from '@sluice/sdk';
import { ConfigResourceTypes, Kafka, logLevel, Partitioners, type Admin } from 'kafkajs';
import kafkaSink from './index.js';
import type { KafkaSink } from './kafka-sink.js';

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
const RUN = `${process.pid}-${Date.now().toString(36)}`;
const admin: Admin = new Kafka({ brokers: BROKERS, clientId: 'sluice-test', logLevel: logLevel.NOTHING }).admin();
const topics: string[] = [];
const sinks: KafkaSink[] = [];

function topicName(label: string): string {
  const name = `sluice-it-sink-${label}-${RUN}`;
  topics.push(name);
  return name;
}

function createSink(raw: Record<string, unknown>): KafkaSink {
  const { config, context } = prepare(kafkaSink, { brokers: BROKERS, clientId: 'sluice-test', ...raw });
  const sink = kafkaSink.create(config, context) as KafkaSink;
  sinks.push(sink);
  return sink;
}

/** Messages per partition of a topic (high watermark minus low). */
async function counts(topic: string): Promise<number[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.sort((a, b) => a.partition - b.partition).map((o) => Number(o.high) - Number(o.low));
}

/** The partition kafkajs's Java-compatible partitioner picks for a key. */
function partitionOf(key: string, partitions: number): number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
  return partitioner({ topic: 't', partitionMetadata, message: { key, value: null } });
}

beforeAll(async () => {
  await admin.connect();
}, 30_000);

afterAll(async () => {
  for (const sink of sinks) await sink.stop();
  const existing = new Set(await admin.listTopics());
  const mine = topics.filter((t) => existing.has(t));
  if (mine.length > 0) await admin.deleteTopics({ topics: mine });
  await admin.disconnect();
}, 30_000);

describe('kafka sink on a real broker', () => {
  it('creates the topic with the declared partitions and retention, once', async () => {
    const topic = topicName('create');
    const sink = createSink({ topic, createTopic: { partitions: 3, replicationFactor: 1, retentionMs: 3_600_000, configs: { 'cleanup.policy': 'delete' } } });
    await sink.start();
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]!.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms', 'cleanup.policy'] }] });
    const entries = Object.fromEntries(described.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
    expect(entries).toEqual({ 'retention.ms': '3600000', 'cleanup.policy': 'delete' });
    expect(await sink.health()).toMatchObject({ status: 'up', details: { topic, partitions: 3, connected: true } });
    // A second start (another instance, a restart) finds the topic and changes nothing.
    const again = createSink({ topic, createTopic: { partitions: 3, replicationFactor: 1, retentionMs: 60_000 } });
    await again.start();
    const after = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }] });
    expect(after.resources[0]!.configEntries[0]!.configValue).toBe('3600000');
    await again.stop();
    await sink.stop();
    expect(await sink.health()).toMatchObject({ status: 'down' });
  }, 30_000);

  it('writes keyed records into the partition of their key (gzip, idempotent) and acknowledges once stored', async () => {
    const topic = topicName('keys');
    const sink = createSink({ topic, createTopic: { partitions: 3, replicationFactor: 1 }, compression: 'gzip', idempotent: true });
    await sink.start();
    const keys = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];
    const batch: SluiceRecord[] = Array.from({ length: 30 }, (_, i) => makeRecord({ seq: i }, { key: keys[i % keys.length]!, headers: { seq: String(i) } }));
    expect(await sink.write(batch.slice(0, 12))).toBeUndefined();
    expect(await sink.write(batch.slice(12))).toBeUndefined();
    const expected = [0, 0, 0];
    for (const record of batch) expected[partitionOf(record.key!, 3)]!++;
    expect(expected.filter((n) => n > 0).length).toBeGreaterThan(1);
    expect(await counts(topic)).toEqual(expected);
    expect(await sink.health()).toMatchObject({ status: 'up', details: { batches: 2, records: 30, requests: 2 } });
  }, 30_000);

  it('dead-letters what cannot be written on its own and stores the rest of the batch', async () => {
    const topic = topicName('partial');
    const sink = createSink({ topic, createTopic: { partitions: 1, replicationFactor: 1 }, maxRequestBytes: 4096 });
    await sink.start();
    const circular: Record<string, unknown> = { id: 'loop' };
    circular.self = circular;
    const result = await sink.write([makeRecord({ ok: 1 }), makeRecord(circular), makeRecord({ big: 'x'.repeat(5000) }), makeRecord({ ok: 4 })]);
    expect(result?.failed.map((f) => f.index)).toEqual([1, 2]);
    expect(result?.failed.every((f) => f.error instanceof RecordError && !f.error.retryable)).toBe(true);
    expect(await counts(topic)).toEqual([2]);
  }, 30_000);

  it('throws broker refusals caused by the data as non-retryable (too large, timestamp beyond Kafka 4\'s one hour ahead)', async () => {
    const topic = topicName('refused');
    const sink = createSink({ topic, createTopic: { partitions: 1, replicationFactor: 1, configs: { 'max.message.bytes': '2000' } } });
    await sink.start();
    const tooLarge = sink.write([makeRecord({ big: 'x'.repeat(5000) })]);
    await expect(tooLarge).rejects.toBeInstanceOf(RecordError);
    await expect(tooLarge).rejects.toMatchObject({ retryable: false, message: expect.stringContaining('[MESSAGE_TOO_LARGE]') });
    const future = sink.write([makeRecord({ at: 'later' }, { timestamp: Date.now() + 2 * 86_400_000 })]);
    await expect(future).rejects.toMatchObject({ retryable: false, message: expect.stringContaining('[INVALID_TIMESTAMP]') });
    expect(await sink.write([makeRecord({ fine: true })])).toBeUndefined();
    expect(await counts(topic)).toEqual([1]);
  }, 30_000);

  it('refuses to start on a missing topic, and on an unreachable cluster, with retryable errors', async () => {
    const missing = createSink({ topic: `sluice-it-sink-missing-${RUN}` });
    await expect(missing.start()).rejects.toMatchObject({ retryable: true, message: expect.stringContaining('does not exist; create it, or set createTopic') });
    const unreachable = createSink({ topic: 'whatever', brokers: ['127.0.0.1:1'], retries: 0, connectionTimeoutMs: 500 });
    await expect(unreachable.start()).rejects.toMatchObject({ retryable: true, message: expect.stringContaining('kafka sink: cannot connect to 127.0.0.1:1') });
    expect(await unreachable.health()).toMatchObject({ status: 'down' });
  }, 30_000);
});
