// Boots the host in-process on the real default config (config/sluice.yaml) with its data in a
// temporary folder and checks what `npm start` promises: ready, rows arriving, dead letters with
// file and line, metrics, the pipelines API and its token.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { createLogger, loadConfig } from '#runtime';
import { createHost, type SluiceHost } from '../../apps/sluice/src/host/create-host.js';

const TOKEN = 'test-token-123';

async function eventually<T>(probe: () => T | Promise<T>, accept: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('default config on the embedded transport', () => {
  let dataDir: string;
  let host: SluiceHost;
  let db: Database.Database;
  const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sluice-e2e-default-'));
    const config = await loadConfig(resolve('config/sluice.yaml'), {
      env: { ...process.env, SLUICE_DATA_DIR: dataDir, SLUICE_HTTP_PORT: '0', SLUICE_TOKEN: TOKEN, VEHICLE_EVENTS_PER_SECOND: '200', SLUICE_LOG_LEVEL: 'warn' },
    });
    host = await createHost(config, createLogger({ level: 'warn', pretty: false }), { processMetrics: false });
    await eventually(() => host.runtime.ready, (ready) => ready);
    db = new Database(join(dataDir, 'sluice.db'), { readonly: true, fileMustExist: true });
  });

  afterAll(async () => {
    db?.close();
    await host?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is live and ready, with per-plugin details', async () => {
    const server = host.app.getHttpServer();
    await request(server).get('/health/live').expect(200);
    const ready = await request(server).get('/health/ready').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(ready.body.status).toBe('ok');
    expect(ready.body.details['pipeline:vehicles'].stages.sink).toMatchObject({ plugin: 'sql', status: 'up', table: 'vehicle_events' });
    expect(ready.body.details.transport.status).toBe('up');
  });

  it('keeps adding vehicle events to SQLite', async () => {
    const first = await eventually(() => count('vehicle_events'), (n) => n > 0);
    await eventually(() => count('vehicle_events'), (n) => n > first + 20);
    const row = db.prepare('SELECT * FROM vehicle_events ORDER BY seq LIMIT 1').get() as Record<string, unknown>;
    expect(row).toMatchObject({ seq: 0, source: 'vehicles/vehicle-simulator' });
    expect(['started', 'moving', 'stopped', 'finished']).toContain(row.status);
  });

  it('loads the sample files and dead-letters the malformed lines with file and line', async () => {
    await eventually(() => count('sales'), (n) => n === 98);
    await eventually(() => count('customers'), (n) => n === 20);
    const sale = db.prepare("SELECT * FROM sales WHERE order_id = 'SO-10002'").get() as Record<string, unknown>;
    expect(sale).toMatchObject({ quantity: 1, unit_price: 24.99, revenue: 24.99, file: 'sales.csv', line: 3 });
    const letters = await eventually(
      () => {
        try {
          return readFileSync(join(dataDir, 'dlq', 'sales.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
        } catch {
          return [];
        }
      },
      (lines) => lines.length === 2,
    );
    expect(letters.map((l) => l.value.error)).toEqual([expect.stringMatching(/^sales\.csv:38: /), expect.stringMatching(/^sales\.csv:72: /)]);
    expect(letters[0].value).toMatchObject({ pipeline: 'sales', stage: 'source', plugin: 'file', attempts: 1 });
  });

  it('exposes Prometheus metrics per stage', async () => {
    const metrics = await request(host.app.getHttpServer()).get('/metrics').expect(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(/sluice_stage_records_acked_total\{pipeline="vehicles",stage="sink",plugin="sql"\} [1-9]/);
    expect(metrics.text).toMatch(/sluice_stage_records_dead_lettered_total\{pipeline="sales",stage="source",plugin="file"\} 2/);
    expect(metrics.text).toContain('sluice_record_latency_seconds_bucket');
  });

  it('serves pipeline status behind the bearer token', async () => {
    const server = host.app.getHttpServer();
    await request(server).get('/api/pipelines').expect(401);
    await request(server).get('/api/pipelines').set('Authorization', 'Bearer wrong').expect(401);
    const status = await request(server).get('/api/pipelines').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(status.body.pipelines.map((p: { name: string }) => p.name)).toEqual(['vehicles', 'sales', 'customers']);
    const sales = await request(server).get('/api/pipelines/sales').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(sales.body.stages.find((s: { stage: string }) => s.stage === 'source').counters).toMatchObject({ in: 100, deadLettered: 2 });
    await request(server).get('/api/pipelines/nope').set('Authorization', `Bearer ${TOKEN}`).expect(404);
  });
});
