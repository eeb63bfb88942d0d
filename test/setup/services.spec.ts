import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  STARTED_ENV,
  checkPostgres,
  configuredAddress,
  ensureServices,
  parseServiceList,
  redactUrl,
  stopStartedServices,
} from './services.js';

const probeScript = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'services', 'probe.mjs');
const execFileAsync = promisify(execFile);

/** Runs fn with some env variables replaced, restoring the previous values afterwards. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

describe('test services (test/setup/services.ts)', () => {
  // globalSetup may have started the services and recorded that in STARTED_ENV, which this worker
  // inherited: only what this file's own ensureServices call starts may be stopped here.
  const startedBefore = process.env[STARTED_ENV];

  afterAll(async () => {
    const before = new Set((startedBefore ?? '').split(',').filter(Boolean));
    const mine = (process.env[STARTED_ENV] ?? '').split(',').filter((s) => s && !before.has(s));
    process.env[STARTED_ENV] = mine.join(',');
    await stopStartedServices();
    if (startedBefore === undefined) delete process.env[STARTED_ENV];
    else process.env[STARTED_ENV] = startedBefore;
  }, 120_000);

  it('makes postgres, kafka and cassandra available and exports their addresses', async () => {
    await ensureServices(['postgres', 'kafka', 'cassandra']);
    expect(process.env.DATABASE_URL).toBeTruthy();
    expect(process.env.KAFKA_BROKERS).toBe(configuredAddress('kafka'));
    expect(process.env.CASSANDRA_CONTACT_POINTS).toBe(configuredAddress('cassandra'));
    expect(process.env.CASSANDRA_LOCAL_DC).toBeTruthy();
    // the exported addresses really answer at protocol level
    const kafka = await execFileAsync(process.execPath, [probeScript, 'kafka', process.env.KAFKA_BROKERS!]);
    expect(kafka.stdout).toMatch(/kafka ok: brokers \d+@/);
    const cassandra = await execFileAsync(process.execPath, [probeScript, 'cassandra', process.env.CASSANDRA_CONTACT_POINTS!]);
    expect(cassandra.stdout).toMatch(/cassandra ok: release_version \d+\.\d+/);
  }, 300_000);

  it('stopStartedServices leaves alone the services it did not start', async () => {
    await withEnv({ [STARTED_ENV]: undefined }, async () => {
      await stopStartedServices();
    });
    const kafka = await execFileAsync(process.execPath, [probeScript, 'kafka', configuredAddress('kafka')]);
    expect(kafka.stdout).toContain('kafka ok');
  }, 30_000);

  it('throws, naming the address, when Kafka is neither reachable nor startable there', async () => {
    // 127.0.0.1:1 refuses at once; the harness would only start Kafka on KAFKA_PORT (9092)
    await withEnv({ KAFKA_BROKERS: '127.0.0.1:1', KAFKA_PORT: '9092', [STARTED_ENV]: undefined }, async () => {
      await expect(ensureServices(['kafka'])).rejects.toThrow(
        /kafka is not reachable at 127\.0\.0\.1:1 and could not be started[\s\S]*nothing answers at 127\.0\.0\.1:1/,
      );
      expect(process.env[STARTED_ENV]).toBeUndefined();
    });
  }, 30_000);

  it('throws for an unreachable PostgreSQL without revealing the password', async () => {
    const url = 'postgres://sluice:s3cret-pw@127.0.0.1:1/test';
    await withEnv({ DATABASE_URL: url }, async () => {
      const error = await ensureServices(['postgres']).then(
        () => null,
        (e: Error) => e,
      );
      expect(error?.message).toMatch(/PostgreSQL is not reachable at 127\.0\.0\.1:1/);
      expect(error?.message).not.toContain('s3cret-pw');
    });
  });

  it('checkPostgres accepts the PostgreSQL of the machine', async () => {
    await expect(checkPostgres(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test')).resolves.toBeUndefined();
  });

  it('rejects unknown service names', async () => {
    expect(() => parseServiceList('postgres, redis')).toThrow('unknown test service "redis"');
    await expect(ensureServices(['kafka', 'mysql' as never])).rejects.toThrow('unknown test service "mysql"');
  });

  it('derives default addresses the way services.sh does', () => {
    expect(configuredAddress('kafka', {})).toBe('127.0.0.1:9092');
    expect(configuredAddress('kafka', { KAFKA_PORT: '19092' })).toBe('127.0.0.1:19092');
    expect(configuredAddress('kafka', { KAFKA_BROKERS: 'a:1,b:2', KAFKA_PORT: '19092' })).toBe('a:1,b:2');
    expect(configuredAddress('cassandra', {})).toBe('127.0.0.1:9042');
    expect(configuredAddress('cassandra', { CASSANDRA_PORT: '19042' })).toBe('127.0.0.1:19042');
    expect(redactUrl('postgres://u:pw@h:5432/db')).toBe('postgres://u:***@h:5432/db');
  });
});
