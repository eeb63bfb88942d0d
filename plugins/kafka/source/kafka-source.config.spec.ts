import { describe, expect, it } from '@jest/globals';
import { describeConfig, runSource, validateConfig, type ConfigIssue } from '@sluice/sdk';
import kafkaSource from './index.js';
import { KafkaSourceConfig } from './kafka-source.config.js';

const minimal = { brokers: ['localhost:9092'], topics: ['orders'], groupId: 'g' };

function issuesOf(raw: unknown): ConfigIssue[] {
  const { config, issues } = validateConfig(KafkaSourceConfig, raw);
  return issues.length > 0 ? issues : (kafkaSource.validate?.(config, { configDir: process.cwd() }) ?? []);
}

const pathsOf = (raw: unknown) => issuesOf(raw).map((i) => i.path);

describe('kafka source config', () => {
  it('needs brokers, topics and a group, and documents its defaults', () => {
    const { config, issues } = validateConfig(KafkaSourceConfig, minimal);
    expect(issues).toEqual([]);
    expect(issuesOf(minimal)).toEqual([]);
    expect(config).toMatchObject({
      clientId: 'sluice',
      fromBeginning: false,
      format: 'json',
      keyFormat: 'string',
      maxBufferedMessages: 1000,
      sessionTimeoutMs: 30_000,
      fetchMaxWaitMs: 1000,
      connectionTimeoutMs: 3000,
      requestTimeoutMs: 30_000,
      retries: 5,
      ssl: false,
      sslRejectUnauthorized: true,
    });
    const docs = describeConfig(KafkaSourceConfig);
    expect(docs.filter((d) => d.required).map((d) => d.name).sort()).toEqual(['brokers', 'groupId', 'topics']);
    for (const doc of docs) expect(doc.description.length).toBeGreaterThan(20);
    const sasl = docs.find((d) => d.name === 'sasl');
    expect(sasl?.fields?.find((f) => f.name === 'password')?.secret).toBe(true);
  });

  it.each([
    [{ ...minimal, brokers: [] }, 'brokers'],
    [{ ...minimal, brokers: ' , ' }, 'brokers'],
    [{ ...minimal, brokers: ['kafka://localhost:9092'] }, 'brokers'],
    [{ ...minimal, brokers: ['user:secret@localhost:9092'] }, 'brokers'],
    [{ ...minimal, brokers: ['localhost'] }, 'brokers'],
    [{ ...minimal, brokers: ['localhost:99999'] }, 'brokers[0]'],
    [{ ...minimal, brokers: ['a:1', 'a:1'] }, 'brokers[1]'],
    [{ ...minimal, topics: [] }, 'topics'],
    [{ ...minimal, topics: ['bad topic'] }, 'topics[0]'],
    [{ ...minimal, topics: ['/(/'] }, 'topics[0]'],
    [{ ...minimal, groupId: '' }, 'groupId'],
    [{ ...minimal, groupId: 'my group' }, 'groupId'],
    [{ ...minimal, format: 'avro' }, 'format'],
    [{ ...minimal, keyFormat: 'bytes' }, 'keyFormat'],
    [{ ...minimal, maxBufferedMessages: 0 }, 'maxBufferedMessages'],
    [{ ...minimal, sessionTimeoutMs: 10 }, 'sessionTimeoutMs'],
    [{ ...minimal, retries: -1 }, 'retries'],
    [{ ...minimal, sslCaFile: 'ca.pem' }, 'sslCaFile'],
    [{ ...minimal, sslRejectUnauthorized: false }, 'sslRejectUnauthorized'],
    [{ ...minimal, sasl: { mechanism: 'gssapi', username: 'u', password: 'p' } }, 'sasl.mechanism'],
    [{ ...minimal, sasl: { mechanism: 'plain', username: 'u' } }, 'sasl.password'],
  ])('rejects %j at path %s', (raw, path) => {
    expect(pathsOf(raw)).toContain(path);
  });

  it('accepts TLS with a CA file, SASL and IPv6 brokers', () => {
    expect(
      issuesOf({ ...minimal, brokers: ['[::1]:9093', 'kafka-1.internal:9093'], ssl: true, sslCaFile: 'ca.pem', sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } }),
    ).toEqual([]);
  });

  it('suggests the closest name for a misspelt field', () => {
    expect(issuesOf({ ...minimal, groupID: 'g' })).toContainEqual({ path: 'groupID', message: 'unknown field (did you mean "groupId"?)' });
  });

  it('makes the harness refuse a bad config with the path in the message', async () => {
    await expect(runSource(kafkaSource, { ...minimal, topics: ['a b'] })).rejects.toThrow('topics[0]: "a b" is not a valid topic name');
  });
});

describe('kafka source config: brokers as one string', () => {
  it('splits a comma-separated brokers string (as from ${KAFKA_BROKERS})', () => {
    const { config, issues } = validateConfig(KafkaSourceConfig, { brokers: 'k1:9092, k2:9092', topics: ['orders'], groupId: 'g' });
    expect(issues).toEqual([]);
    expect(config.brokers).toEqual(['k1:9092', 'k2:9092']);
  });
});
