import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testCatalog } from '../../../../test/fixtures/config/test-plugins.js';
import { loadConfig, REDACTED, redactConfig, redactValue } from './index.js';

const VALID = fileURLToPath(new URL('../../../../test/fixtures/config/valid.yaml', import.meta.url));

describe('redactConfig', () => {
  it('replaces http.token and every secret plugin field (nested too) and keeps the rest', async () => {
    const config = await loadConfig(VALID, { env: { TEST_TOKEN: 'tok-123', DB_PASSWORD: 'pw-456' }, catalog: testCatalog() });
    const view = redactConfig(config);
    const json = JSON.stringify(view);
    for (const secret of ['tok-123', 'pw-456', 'pool-secret']) expect(json).not.toContain(secret);
    expect(JSON.parse(json)).toEqual(view);

    expect(view.http).toEqual({ enabled: true, host: '127.0.0.1', port: 8080, token: REDACTED });
    const sink = view.pipelines[0]!.sink;
    expect(sink).toEqual({
      name: 'sink',
      plugin: 'sql',
      kind: 'sink',
      version: '3.1.0',
      path: 'pipelines[0].sink',
      config: {
        url: 'postgres://localhost/test',
        table: 'vehicles',
        password: REDACTED,
        pool: { size: 8, encryptionKey: REDACTED },
        columns: [
          { name: 'id', type: 'text' },
          { name: 'speed_kmh', type: 'real' },
        ],
      },
    });
    expect(view.pipelines[0]!.transforms.map((t) => t.plugin)).toEqual(['validate', 'rename']);
    expect(view.pipelines[0]!.batch).toEqual({ maxRecords: 100, maxBytes: 1_048_576, maxWaitMs: 50 });
    expect(view.transport).toEqual({ kind: 'kafka', brokers: ['localhost:9092', 'localhost:9093'], clientId: 'sluice', groupPrefix: 'sluice', partitions: 3, replicationFactor: 1, compression: 'none', security: { ssl: false, sslRejectUnauthorized: true }, consumer: expect.any(Object) });
    expect(view.pipelines[1]!.sink!.config).toEqual({ path: '../out/audit.jsonl', format: 'jsonl' });
    expect(view.dataDir).toBe(join(config.dir, 'state'));
  });

  it('shows unset secrets as null and a missing token as absent rather than redacted', async () => {
    const config = await loadConfig(VALID, { env: { TEST_TOKEN: '', DB_PASSWORD: '' }, catalog: testCatalog() });
    const view = redactConfig(config);
    expect(view.http.token).toBeUndefined();
    expect(view).not.toHaveProperty('http.token');
    // `password: ${DB_PASSWORD}` with an empty variable reads as YAML null.
    expect(view.pipelines[0]!.sink!.config).toMatchObject({ password: null, pool: { encryptionKey: REDACTED } });
  });
});

describe('redactValue', () => {
  it('makes any value JSON-safe', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(
      redactValue({
        when: new Date(0),
        big: 10n,
        inf: Number.POSITIVE_INFINITY,
        fn: () => 1,
        gone: undefined,
        set: new Set([1, 2]),
        map: new Map([['k', 'v']]),
        cyclic,
      }),
    ).toEqual({ when: '1970-01-01T00:00:00.000Z', big: '10', inf: 'Infinity', set: [1, 2], map: { k: 'v' }, cyclic: { a: 1, self: '<circular>' } });
  });
});
