// The sink's own logic (topic setup, one send per batch, splitting, error classification, health)
// against a scripted stand-in for kafkajs; kafka-sink.integration.spec.ts runs it on real Kafka.
import { afterEach, describe, expect, it } from '@jest/globals';
import { makeRecord, prepare, RecordError, type PluginLogger } from '@sluice/sdk';
import type { Admin, Producer, ProducerRecord } from 'kafkajs';
import kafkaSink from './index.js';
import { KafkaSink, type KafkaClient } from './kafka-sink.js';

class ScriptedCluster implements KafkaClient {
  readonly topics = new Map<string, number>();
  readonly sends: ProducerRecord[] = [];
  readonly created: unknown[] = [];
  sendErrors: Error[] = [];
  metadataError: Error | undefined;
  producerConfig: unknown;
  connected = 0;
  disconnected = 0;
  private listeners = new Map<string, () => void>();

  producer(config?: unknown): Producer {
    this.producerConfig = config;
    return {
      events: { CONNECT: 'producer.connect', DISCONNECT: 'producer.disconnect' },
      on: (name: string, listener: () => void) => {
        this.listeners.set(name, listener);
        return () => this.listeners.delete(name);
      },
      connect: async () => {
        this.connected++;
        this.listeners.get('producer.connect')?.();
      },
      disconnect: async () => {
        this.disconnected++;
        this.listeners.get('producer.disconnect')?.();
      },
      send: async (record: ProducerRecord) => {
        const error = this.sendErrors.shift();
        if (error) throw error;
        this.sends.push(record);
        return [];
      },
    } as unknown as Producer;
  }

  admin(): Admin {
    return {
      connect: async () => undefined,
      disconnect: async () => undefined,
      createTopics: async ({ topics }: { topics: Array<{ topic: string; numPartitions: number }> }) => {
        this.created.push(topics[0]);
        if (this.topics.has(topics[0]!.topic)) return false;
        this.topics.set(topics[0]!.topic, topics[0]!.numPartitions);
        return true;
      },
      fetchTopicMetadata: async ({ topics }: { topics: string[] }) => {
        if (this.metadataError) throw this.metadataError;
        const count = this.topics.get(topics[0]!);
        if (count === undefined) throw Object.assign(new Error('This server does not host this topic-partition'), { type: 'UNKNOWN_TOPIC_OR_PARTITION' });
        return { topics: [{ name: topics[0], partitions: Array.from({ length: count }, (_, i) => ({ partitionId: i, leader: 1 })) }] };
      },
    } as unknown as Admin;
  }
}

function recordingLogger() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; message: string }> = [];
  const at = (level: string) => (fields: unknown, message?: string) => void lines.push({ level, fields: fields as Record<string, unknown>, message: message ?? '' });
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as PluginLogger };
}

const sinks: KafkaSink[] = [];
afterEach(async () => {
  for (const sink of sinks.splice(0)) await sink.stop();
});

function setup(raw: Record<string, unknown> = {}, existing: Record<string, number> = { orders: 3 }) {
  const { lines, logger } = recordingLogger();
  const { config, context } = prepare(kafkaSink, { brokers: ['localhost:9092'], topic: 'orders', ...raw }, { context: { logger } });
  const cluster = new ScriptedCluster();
  for (const [topic, partitions] of Object.entries(existing)) cluster.topics.set(topic, partitions);
  const sink = new KafkaSink(config, context, () => cluster);
  sinks.push(sink);
  return { sink, cluster, lines };
}

const protocolError = (type: string) => Object.assign(new Error(`broker refused: ${type}`), { name: 'KafkaJSProtocolError', type });

describe('kafka sink (scripted kafkajs)', () => {
  it('checks the topic at start and uses the Java-compatible partitioner, no auto-creation', async () => {
    const { sink, cluster } = setup({ idempotent: true, retries: 3 });
    await sink.start();
    expect(cluster.producerConfig).toMatchObject({ allowAutoTopicCreation: false, idempotent: true, retry: { retries: 3 } });
    expect(cluster.connected).toBe(1);
    expect(await sink.health()).toMatchObject({ status: 'up', details: { topic: 'orders', partitions: 3, connected: true } });
    await sink.stop();
    expect(cluster.disconnected).toBe(1);
    expect(await sink.health()).toMatchObject({ status: 'down', details: { reason: 'not started' } });
  });

  it('refuses to start on a missing topic without createTopic, retryably', async () => {
    const { sink } = setup({ topic: 'missing' });
    await expect(sink.start()).rejects.toMatchObject({ retryable: true, message: 'kafka sink: topic "missing" does not exist; create it, or set createTopic' });
    expect(await sink.health()).toMatchObject({ status: 'down' });
  });

  it('creates a missing topic with partitions, replication and configs, and leaves an existing one alone', async () => {
    const { sink, cluster, lines } = setup({ topic: 'fresh', createTopic: { partitions: 4, retentionMs: 3_600_000, configs: { 'cleanup.policy': 'compact' } } }, {});
    await sink.start();
    expect(cluster.created).toEqual([
      { topic: 'fresh', numPartitions: 4, replicationFactor: -1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'retention.ms', value: '3600000' }] },
    ]);
    expect(lines.some((l) => l.level === 'info' && l.message === 'kafka: created topic')).toBe(true);
    await sink.stop();
    cluster.topics.set('fresh', 2); // someone changed it meanwhile
    await sink.start();
    expect(lines.find((l) => l.level === 'warn')?.fields).toEqual({ topic: 'fresh', partitions: 2, declared: 4 });
  });

  it('writes a batch with one send, with acks, compression and timeout', async () => {
    const { sink, cluster } = setup({ acks: 1, compression: 'gzip', timeoutMs: 5000 });
    await sink.start();
    const result = await sink.write([makeRecord({ n: 1 }, { key: 'a', timestamp: 1000 }), makeRecord({ n: 2 }, { key: 'b', timestamp: 2000, headers: { h: 'v' } })]);
    expect(result).toBeUndefined();
    expect(cluster.sends).toHaveLength(1);
    expect(cluster.sends[0]).toMatchObject({ topic: 'orders', acks: 1, compression: 1, timeout: 5000 });
    expect(cluster.sends[0]!.messages).toEqual([
      { key: 'a', value: Buffer.from('{"n":1}'), timestamp: '1000' },
      { key: 'b', value: Buffer.from('{"n":2}'), timestamp: '2000', headers: { h: 'v' } },
    ]);
  });

  it('sends acks -1 by default and splits a batch that exceeds maxRequestBytes into consecutive requests', async () => {
    const { sink, cluster } = setup({ maxRequestBytes: 2048 });
    await sink.start();
    const batch = Array.from({ length: 5 }, (_, i) => makeRecord({ i, pad: 'x'.repeat(600) }));
    await sink.write(batch);
    expect(cluster.sends.map((s) => s.acks)).toEqual([-1, -1, -1]);
    expect(cluster.sends.map((s) => s.messages.map((m) => JSON.parse(String(m.value)).i))).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('reports records that cannot be encoded on their own and stores the rest', async () => {
    const { sink, cluster } = setup();
    await sink.start();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const result = await sink.write([makeRecord(1), makeRecord(circular), makeRecord(3)]);
    expect(result?.failed.map((f) => [f.index, (f.error as RecordError).retryable])).toEqual([[1, false]]);
    expect(cluster.sends[0]!.messages.map((m) => String(m.value))).toEqual(['1', '3']);
  });

  it('throws data errors as non-retryable and everything else as retryable', async () => {
    const { sink, cluster } = setup();
    await sink.start();
    cluster.sendErrors = [protocolError('MESSAGE_TOO_LARGE')];
    await expect(sink.write([makeRecord(1), makeRecord(2)])).rejects.toMatchObject({
      retryable: false,
      message: 'kafka sink: writing 2 records to topic "orders" failed [MESSAGE_TOO_LARGE]: broker refused: MESSAGE_TOO_LARGE',
    });
    expect(await sink.health()).toMatchObject({ status: 'degraded', details: { failedWrites: 1, lastError: expect.stringContaining('MESSAGE_TOO_LARGE') } });
    cluster.sendErrors = [Object.assign(new Error('gave up'), { name: 'KafkaJSNumberOfRetriesExceeded', retriable: false, cause: protocolError('NOT_LEADER_FOR_PARTITION') })];
    await expect(sink.write([makeRecord(1)])).rejects.toMatchObject({ retryable: true });
    await sink.write([makeRecord(1)]);
    expect(await sink.health()).toMatchObject({ status: 'up', details: { batches: 1, records: 1 } });
  });

  it('refuses writes before start, retryably', async () => {
    const { sink } = setup();
    await expect(sink.write([makeRecord(1)])).rejects.toMatchObject({ retryable: true, message: 'kafka sink for topic "orders" is not started' });
  });

  it('reports the cluster down in health when the topic cannot be described', async () => {
    const { sink, cluster } = setup();
    await sink.start();
    cluster.metadataError = new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    expect(await sink.health()).toMatchObject({ status: 'down', details: { reason: 'cannot describe topic "orders": Connection error: connect ECONNREFUSED 127.0.0.1:9092' } });
  });
});
