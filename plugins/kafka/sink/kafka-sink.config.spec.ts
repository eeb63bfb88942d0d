import { describe, expect, it } from '@jest/globals';
import { describeConfig, runSink, validateConfig, type ConfigIssue } from '@sluice/sdk';
import kafkaSink from './index.js';
import { KafkaSinkConfig } from './kafka-sink.config.js';

const minimal = { brokers: ['localhost:9092'], topic: 'orders' };

function issuesOf(raw: unknown): ConfigIssue[] {
  const { config, issues } = validateConfig(KafkaSinkConfig, raw);
  return issues.length > 0 ? issues : (kafkaSink.validate?.(config, { configDir: process.cwd() }) ?? []);
}

const pathsOf = (raw: unknown) => issuesOf(raw).map((i) => i.path);

describe('kafka sink config', () => {
  it('needs brokers and a topic, and documents its defaults', () => {
    const { config, issues } = validateConfig(KafkaSinkConfig, minimal);
    expect(issues).toEqual([]);
    expect(issuesOf(minimal)).toEqual([]);
    expect(config).toMatchObject({
      format: 'json',
      headers: true,
      timestamp: 'record',
      tombstoneNulls: false,
      acks: 'all',
      compression: 'none',
      idempotent: false,
      timeoutMs: 30_000,
      maxRequestBytes: 1_000_000,
      clientId: 'sluice',
      retries: 5,
      ssl: false,
    });
    expect(config.createTopic).toBeUndefined();
    const docs = describeConfig(KafkaSinkConfig);
    expect(docs.filter((d) => d.required).map((d) => d.name).sort()).toEqual(['brokers', 'topic']);
    for (const doc of docs) expect(doc.description.length).toBeGreaterThan(20);
    expect(docs.find((d) => d.name === 'createTopic')?.fields?.map((f) => [f.name, f.default])).toEqual([
      ['partitions', 1],
      ['replicationFactor', -1],
      ['retentionMs', undefined],
      ['configs', undefined],
    ]);
    expect(docs.find((d) => d.name === 'sasl')?.fields?.find((f) => f.name === 'password')?.secret).toBe(true);
  });

  it('fills createTopic defaults', () => {
    const { config } = validateConfig(KafkaSinkConfig, { ...minimal, createTopic: { retentionMs: 1000 } });
    expect(config.createTopic).toMatchObject({ partitions: 1, replicationFactor: -1, retentionMs: 1000 });
  });

  it.each([
    [{ brokers: ['localhost:9092'] }, 'topic'],
    [{ ...minimal, topic: 'bad topic' }, 'topic'],
    [{ ...minimal, brokers: ['http://localhost:9092'] }, 'brokers'],
    [{ ...minimal, format: 'avro' }, 'format'],
    [{ ...minimal, acks: 0 }, 'acks'],
    [{ ...minimal, acks: 'leader' }, 'acks'],
    [{ ...minimal, compression: 'zstd' }, 'compression'],
    [{ ...minimal, timestamp: 'broker' }, 'timestamp'],
    [{ ...minimal, idempotent: true, acks: 1 }, 'acks'],
    [{ ...minimal, idempotent: true, retries: 0 }, 'retries'],
    [{ ...minimal, maxRequestBytes: 10 }, 'maxRequestBytes'],
    [{ ...minimal, createTopic: { partitions: 0 } }, 'createTopic.partitions'],
    [{ ...minimal, createTopic: { replicationFactor: 0 } }, 'createTopic.replicationFactor'],
    [{ ...minimal, createTopic: { retentionMs: -2 } }, 'createTopic.retentionMs'],
    [{ ...minimal, createTopic: { configs: 'compact' } }, 'createTopic.configs'],
    [{ ...minimal, createTopic: { configs: { 'Cleanup Policy': 'compact' } } }, 'createTopic.configs.Cleanup Policy'],
    [{ ...minimal, createTopic: { configs: { 'cleanup.policy': ['compact'] } } }, 'createTopic.configs.cleanup.policy'],
    [{ ...minimal, createTopic: { retentionMs: 5, configs: { 'retention.ms': '5' } } }, 'createTopic.configs.retention.ms'],
    [{ ...minimal, createTopic: { partition: 3 } }, 'createTopic.partition'],
    [{ ...minimal, sslCaFile: 'ca.pem' }, 'sslCaFile'],
  ])('rejects %j at path %s', (raw, path) => {
    expect(pathsOf(raw)).toContain(path);
  });

  it('accepts the documented examples', () => {
    for (const example of kafkaSink.examples ?? []) expect(issuesOf(example.config)).toEqual([]);
    expect(issuesOf({ ...minimal, acks: -1, idempotent: true, createTopic: { partitions: 3, replicationFactor: 1, configs: { 'cleanup.policy': 'compact', 'max.message.bytes': 2000 } } })).toEqual([]);
  });

  it('makes the harness refuse a bad config with the path in the message', async () => {
    await expect(runSink(kafkaSink, { ...minimal, idempotent: true, acks: 1 }, [])).rejects.toThrow('acks: must be "all" with idempotent: true');
  });

});
