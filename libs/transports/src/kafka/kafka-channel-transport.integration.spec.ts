// The Kafka channel transport against the real broker (started by the integration globalSetup).
import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { makeRecord, type SluiceRecord } from '@sluice/sdk';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaChannelTransport } from './kafka-channel-transport.js';
import { KafkaSubscription } from './kafka-subscription.js';
import type { KafkaTransportOptions } from './kafka-transport-options.js';

jest.setTimeout(120_000);

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const quiet = { warn: () => undefined, error: () => undefined };
const options = (over: Partial<KafkaTransportOptions> = {}): KafkaTransportOptions => ({
  brokers,
  clientId: 'sluice-test',
  topics: { partitions: 3, replicationFactor: 1 },
  maxBatchRecords: 50,
  maxBatchWaitMs: 10,
  maxInFlight: 200,
  commitIntervalMs: 50,
  sessionTimeoutMs: 10_000,
  connectionTimeoutMs: 3000,
  logLevel: logLevel.NOTHING,
  ...over,
});
const admin = new Kafka({ brokers, clientId: 'sluice-test-admin', logLevel: logLevel.NOTHING }).admin();

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function committed(group: string, topic: string): Promise<number> {
  const [entry] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return entry.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

describe('KafkaChannelTransport (real Kafka)', () => {
  const topics: string[] = [];
  const transports: KafkaChannelTransport[] = [];
  const open = async (over: Partial<KafkaTransportOptions> = {}) => {
    const transport = new KafkaChannelTransport(options(over), quiet);
    transports.push(transport);
    await transport.connect();
    return transport;
  };
  beforeAll(() => admin.connect());
  afterAll(async () => {
    for (const t of transports) await t.close().catch(() => undefined);
    if (topics.length) await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });

  it('creates the channel topic with the declared partitions and retention', async () => {
    const transport = await open();
    const topic = `t-${randomUUID()}`;
    topics.push(topic);
    await transport.ensureChannel({ name: topic, partitions: 4, retentionMs: 86_400_000 });
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0].partitions).toHaveLength(4);
    const configs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic, configNames: ['retention.ms'] }] });
    expect(configs.resources[0].configEntries.find((e) => e.configName === 'retention.ms')?.configValue).toBe('86400000');
  });

  // The local broker listens in plaintext without SASL: a transport told to use either must fail
  // to connect, which shows the settings reach the clients it opens.
  it('connects with SASL when told to: a broker without SASL refuses it', async () => {
    const transport = new KafkaChannelTransport(options({ sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } }), quiet);
    transports.push(transport);
    await expect(transport.connect()).rejects.toThrow(/SASL|sasl/);
  });

  it('consumes with SASL when told to: the consumer-group member is refused too', async () => {
    const subscription = new KafkaSubscription(`t-${randomUUID()}`, `g-${randomUUID()}`, async () => undefined, options({ sasl: { mechanism: 'plain', username: 'u', password: 'p' } }), quiet);
    await expect(subscription.start()).rejects.toThrow(/SASL|sasl/);
  });

  it('connects with TLS when told to: a plaintext listener fails the handshake', async () => {
    const transport = new KafkaChannelTransport(options({ ssl: { rejectUnauthorized: true }, connectionTimeoutMs: 1000 }), quiet);
    transports.push(transport);
    await expect(transport.connect()).rejects.toThrow();
    expect(transport.status().connected).toBe(false);
  });

  it.each(['snappy', 'lz4'] as const)('publishes %s-compressed batches and reads them back', async (compression) => {
    const transport = await open({ compression });
    const topic = `t-${randomUUID()}`;
    topics.push(topic);
    await transport.ensureChannel({ name: topic, partitions: 1 });
    const values: unknown[] = [];
    await transport.subscribe(topic, `g-${randomUUID()}`, async (records) => {
      for (const record of records) values.push(record.value);
    });
    await transport.publish(topic, Array.from({ length: 30 }, (_, i) => makeRecord({ i, text: 'compressible '.repeat(20) })));
    await until(() => values.length >= 30, 'the compressed records');
    expect(values).toEqual(Array.from({ length: 30 }, (_, i) => ({ i, text: 'compressible '.repeat(20) })));
  });

  it('delivers every record once, keeps per-key order, and commits only what was acknowledged', async () => {
    const transport = await open();
    const topic = `t-${randomUUID()}`;
    const group = `g-${randomUUID()}`;
    topics.push(topic);
    await transport.ensureChannel({ name: topic });
    const received: SluiceRecord[] = [];
    let refuseOnce = true;
    await transport.subscribe(topic, group, async (records) => {
      if (refuseOnce) {
        refuseOnce = false;
        throw new Error('sink temporarily down');
      }
      received.push(...records);
    });
    const records = Array.from({ length: 600 }, (_, i) => makeRecord({ i }, { key: `k${i % 5}`, headers: { h: String(i) }, timestamp: 1_700_000_000_000 + i }));
    for (let i = 0; i < records.length; i += 100) await transport.publish(topic, records.slice(i, i + 100));
    await until(() => received.length >= 600, 'all records');
    expect(new Set(received.map((r) => (r.value as { i: number }).i)).size).toBe(600);
    for (const key of ['k0', 'k1', 'k2', 'k3', 'k4']) {
      const order = received.filter((r) => r.key === key).map((r) => (r.value as { i: number }).i);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
    const sample = received.find((r) => (r.value as { i: number }).i === 7)!;
    expect(sample).toMatchObject({ key: 'k2', headers: { h: '7' }, timestamp: 1_700_000_000_007, origin: { pipeline: 'test' } });
    await until(async () => (await committed(group, topic)) === 600, 'offsets committed');
    await transport.unsubscribe(topic, group);
  });

  it('re-delivers what a stopped consumer had not acknowledged to the next member of the group', async () => {
    const first = await open();
    const topic = `t-${randomUUID()}`;
    const group = `g-${randomUUID()}`;
    topics.push(topic);
    await first.ensureChannel({ name: topic, partitions: 1 });
    await first.publish(topic, Array.from({ length: 100 }, (_, i) => makeRecord({ i })));
    const seen: number[] = [];
    await first.subscribe(topic, group, async (records) => {
      // the stage goes down for good once it has stored 30 records
      if (seen.length >= 30) throw new Error('sink down');
      seen.push(...records.map((r) => (r.value as { i: number }).i));
    });
    await until(() => seen.length >= 30, 'the first records');
    await first.unsubscribe(topic, group);
    const acknowledged = seen.length;
    expect(seen).toEqual(Array.from({ length: acknowledged }, (_, i) => i));
    expect(await committed(group, topic)).toBe(acknowledged);
    const second = await open();
    const later: number[] = [];
    await second.subscribe(topic, group, async (records) => {
      later.push(...records.map((r) => (r.value as { i: number }).i));
    });
    await until(() => later.length >= 100 - acknowledged, 'the rest');
    expect(later).toEqual(Array.from({ length: 100 - acknowledged }, (_, i) => i + acknowledged));
    await second.unsubscribe(topic, group);
  });

  it('holds fetching at maxInFlight and stays in the group while the stage stalls past the session timeout', async () => {
    const complaints: string[] = [];
    const logger = { warn: (_: unknown, message: string) => complaints.push(message), error: (_: unknown, message: string) => complaints.push(message) };
    const transport = new KafkaChannelTransport(options({ maxInFlight: 10, maxBatchRecords: 5, sessionTimeoutMs: 6000 }), logger);
    transports.push(transport);
    await transport.connect();
    const topic = `t-${randomUUID()}`;
    const group = `g-${randomUUID()}`;
    topics.push(topic);
    await transport.ensureChannel({ name: topic, partitions: 1 });
    await transport.publish(topic, Array.from({ length: 40 }, (_, i) => makeRecord({ i })));
    const received: number[] = [];
    let stalls = 1;
    let peakInFlight = 0;
    const watch = setInterval(() => {
      const [consumer] = transport.status().details.consumers as Array<{ inFlight: number }>;
      peakInFlight = Math.max(peakInFlight, consumer?.inFlight ?? 0);
    }, 20);
    await transport.subscribe(topic, group, async (records) => {
      // Longer than the session timeout: only the heartbeats sent while fetching waits keep the member.
      if (stalls-- > 0) await new Promise((r) => setTimeout(r, 9000));
      received.push(...records.map((r) => (r.value as { i: number }).i));
    });
    await until(() => received.length >= 40, 'all records');
    clearInterval(watch);
    expect(peakInFlight).toBe(10);
    // Dropped from the group, the member would have re-read from the start: duplicates, and a failed commit.
    expect(received).toEqual(Array.from({ length: 40 }, (_, i) => i));
    await until(async () => (await committed(group, topic)) === 40, 'offsets committed');
    expect(complaints).toEqual([]);
    await transport.unsubscribe(topic, group);
  });
});
