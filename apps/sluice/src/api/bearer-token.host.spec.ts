// The bearer token in a real host on the embedded transport: the data endpoints (/api/pipelines,
// /api/queries, Grafana) refuse a missing token and wrong tokens of the same and of another
// length, and the health probes keep their status code without it but show their per-stage
// details (plugins, paths) only with it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import request from 'supertest';
import { loadConfig, PluginCatalog } from '#runtime';
import fileSink from '../../../../plugins/file-sink/index.js';
import { jsonCodec, jsonLinesCodec } from '../../../../plugins/json-codec/index.js';
import generator from '../../../../plugins/generator/index.js';
import { createHost, type SluiceHost } from '../host/create-host.js';
import { waitFor } from '../../../../libs/runtime/src/testing/memory-plugins.js';

const TOKEN = 'host-bearer-token-42';
const SAME_LENGTH = 'x'.repeat(TOKEN.length);
const OUTPUT = 'bearer-probe-output.jsonl';

describe('the bearer token in the host', () => {
  let root: string;
  let host: SluiceHost;
  const api = () => request(host.app.getHttpServer());

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'sluice-bearer-host-'));
    const file = join(root, 'sluice.yaml');
    writeFileSync(
      file,
      `
http: { host: 127.0.0.1, port: 0, token: ${TOKEN} }
dataDir: ${join(root, 'data')}
grafana: { enabled: true }
pipelines:
  - name: probe
    source: { plugin: generator, config: { rate: 20, fields: { id: sequence } } }
    sink: { plugin: file, config: { path: ${join(root, 'data', OUTPUT)} } }
    batch: { maxWaitMs: 5 }
`,
    );
    const plugins = new PluginCatalog();
    for (const definition of [generator, fileSink, jsonCodec, jsonLinesCodec]) plugins.register(definition, { kind: 'path', from: import.meta.url });
    const config = await loadConfig(file, { env: {}, catalog: plugins });
    host = await createHost(config, pino({ level: 'silent' }), { processMetrics: false });
    await waitFor(() => host.runtime.ready, 15_000);
  });

  afterAll(async () => {
    await host?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it.each([
    ['GET', '/api/pipelines'],
    ['GET', '/api/queries'],
    ['GET', '/grafana'],
  ] as const)('%s %s refuses no token and wrong tokens of the same and of another length, and accepts the token', async (_method, path) => {
    await api().get(path).expect(401);
    await api().get(path).set('Authorization', `Bearer ${SAME_LENGTH}`).expect(401);
    await api().get(path).set('Authorization', 'Bearer short').expect(401);
    await api().get(path).set('Authorization', `Bearer ${TOKEN}-and-more`).expect(401);
    await api().get(path).set('Authorization', TOKEN).expect(401);
    await api().get(path).set('Authorization', `Bearer ${TOKEN}`).expect(200);
  });

  it('answers /health/ready and /health/live with the status only, without the token', async () => {
    for (const path of ['/health/ready', '/health/live']) {
      for (const authorization of [undefined, `Bearer ${SAME_LENGTH}`, 'Bearer short']) {
        const call = api().get(path);
        const answer = await (authorization ? call.set('Authorization', authorization) : call).expect(200);
        expect(answer.body).toEqual({ status: 'ok' });
        expect(answer.text).not.toContain(OUTPUT);
        expect(answer.text).not.toContain('generator');
        expect(answer.text).not.toContain('pipeline:probe');
      }
    }
  });

  it('answers /health/ready with every stage, its plugin and details, with the token', async () => {
    const answer = await api().get('/health/ready').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(answer.body.status).toBe('ok');
    expect(answer.body.details['pipeline:probe'].stages.source).toMatchObject({ plugin: 'generator', status: 'up' });
    expect(answer.body.details['pipeline:probe'].stages.sink).toMatchObject({ plugin: 'file', status: 'up', path: join(root, 'data', OUTPUT) });
  });
});
