import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { RecordError, type PluginLogger } from '@sluice/sdk';
import { logLevel } from 'kafkajs';
import { secretScrubber } from '@sluice/kafka';
import { kafkaClientConfig, kafkaErrorType, kafkaLogCreator, RETRY_POLICY } from './kafka-client.js';
import type { KafkaConnectionSettings } from './kafka-connection.js';

const settings: KafkaConnectionSettings = {
  brokers: ['a:9092', 'b:9092'],
  clientId: 'me',
  connectionTimeoutMs: 1234,
  requestTimeoutMs: 5678,
  retries: 2,
  ssl: false,
  sslRejectUnauthorized: true,
};

function recordingLogger() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; message: string }> = [];
  const at = (level: string) => (fields: unknown, message?: string) => void lines.push({ level, fields: fields as Record<string, unknown>, message: message ?? '' });
  const logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as PluginLogger;
  return { lines, logger };
}

describe('kafka client config', () => {
  it('passes brokers, timeouts and an explicit retry policy; no TLS or SASL by default', () => {
    const config = kafkaClientConfig(settings, { configDir: '/', logger: recordingLogger().logger });
    expect(config).toMatchObject({ brokers: ['a:9092', 'b:9092'], clientId: 'me', connectionTimeout: 1234, requestTimeout: 5678, ssl: false, logLevel: logLevel.INFO });
    expect(config.retry).toEqual({ ...RETRY_POLICY, retries: 2 });
    expect(config.sasl).toBeUndefined();
  });

  it('reads the CA file relative to the config folder and passes SASL credentials', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-kafka-ca-'));
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n');
    const config = kafkaClientConfig(
      { ...settings, ssl: true, sslCaFile: 'ca.pem', sslRejectUnauthorized: false, sasl: { mechanism: 'scram-sha-256', username: 'u', password: 'pw' } },
      { configDir: dir, logger: recordingLogger().logger },
    );
    expect(config.ssl).toEqual({ rejectUnauthorized: false, ca: ['-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n'] });
    expect(config.sasl).toEqual({ mechanism: 'scram-sha-256', username: 'u', password: 'pw' });
  });

  it('fails clearly (and retryably) when the CA file cannot be read', () => {
    const attempt = () => kafkaClientConfig({ ...settings, ssl: true, sslCaFile: 'missing.pem' }, { configDir: '/nowhere', logger: recordingLogger().logger });
    expect(attempt).toThrow(RecordError);
    expect(attempt).toThrow('kafka: cannot read sslCaFile /nowhere/missing.pem');
  });

  it('routes kafkajs log lines to the plugin logger: errors as warnings, info as debug, secrets scrubbed, no stacks', () => {
    const { lines, logger } = recordingLogger();
    const scrub = secretScrubber({ ...settings, sasl: { mechanism: 'plain', username: 'u', password: 's3cret' } });
    const log = kafkaLogCreator(logger, scrub)(logLevel.INFO);
    log({ namespace: 'Connection', level: logLevel.ERROR, label: 'ERROR', log: { timestamp: 't', message: 'auth with s3cret failed', stack: 'at x', error: new Error('bad s3cret'), broker: 'a:9092' } });
    log({ namespace: 'Consumer', level: logLevel.INFO, label: 'INFO', log: { timestamp: 't', message: 'Starting', groupId: 'g' } });
    expect(lines).toEqual([
      { level: 'warn', fields: { kafkajs: 'Connection', error: 'bad ***', broker: 'a:9092' }, message: 'kafkajs: auth with *** failed' },
      { level: 'debug', fields: { kafkajs: 'Consumer', groupId: 'g' }, message: 'kafkajs: Starting' },
    ]);
  });

  it('finds the kafkajs error type through the cause chain', () => {
    const protocol = Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' });
    expect(kafkaErrorType(Object.assign(new Error('wrapped'), { cause: protocol }))).toBe('MESSAGE_TOO_LARGE');
    expect(kafkaErrorType(new Error('plain'))).toBeUndefined();
    expect(kafkaErrorType(undefined)).toBeUndefined();
  });
});
