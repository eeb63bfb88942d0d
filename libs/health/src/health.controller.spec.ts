// /health/live and /health/ready through Nest and HTTP, on a fake runtime: without the token
// (when one is configured) they answer the status code and `{ status }` only; with it, or with no
// token configured, terminus's full per-pipeline and per-plugin details.
import { afterEach, describe, expect, it } from '@jest/globals';
import { Global, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { SluiceRuntime } from '#runtime';
import { HealthModule } from './health.module.js';
import { SLUICE_RUNTIME } from './tokens.js';

const TOKEN = 'health-token-0123';
/** Details only an authorised caller may see: a table, a plugin, a path, an error. */
const TABLE = 'orders_by_customer';
const PLUGIN = 'sqlite-orders-sink';
const SECRET_PATH = '/srv/sluice/data/orders.db';
const ERROR = 'SQLITE_CANTOPEN: unable to open database file';

function fakeRuntime(options: { token?: string; ready: boolean }): SluiceRuntime {
  const report = options.ready
    ? { status: 'up' as const, details: { table: TABLE, database: SECRET_PATH } }
    : { status: 'down' as const, details: { table: TABLE, database: SECRET_PATH, reason: ERROR } };
  return {
    config: { http: { enabled: true, host: '127.0.0.1', port: 0, token: options.token } },
    transport: { status: () => ({ connected: true, details: { kind: 'embedded' } }) },
    pipelines: [
      {
        name: 'orders',
        ready: options.ready,
        health: async () => [
          { stage: 'source', plugin: 'generator', report: { status: 'up' } },
          { stage: 'sink', plugin: PLUGIN, report },
        ],
      },
    ],
  } as unknown as SluiceRuntime;
}

async function start(runtime: SluiceRuntime): Promise<INestApplication> {
  @Global()
  @Module({ providers: [{ provide: SLUICE_RUNTIME, useValue: runtime }], exports: [SLUICE_RUNTIME] })
  class FakeRuntimeModule {}
  const moduleRef = await Test.createTestingModule({ imports: [FakeRuntimeModule, HealthModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

function expectNoDetail(text: string) {
  for (const detail of [TABLE, PLUGIN, SECRET_PATH, ERROR, 'orders', 'generator', 'stages', 'transport', 'details']) expect(text).not.toContain(detail);
}

describe('HealthController', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  describe('with a token configured, without it', () => {
    it('/health/ready answers 200 and only { status: "ok" } when ready', async () => {
      app = await start(fakeRuntime({ token: TOKEN, ready: true }));
      const answer = await request(app.getHttpServer()).get('/health/ready').expect(200);
      expect(answer.body).toEqual({ status: 'ok' });
      expectNoDetail(answer.text);
      expect(answer.headers['cache-control']).toBe('no-cache, no-store, must-revalidate');
    });

    it('/health/ready answers 503 and only { status: "error" } when a stage is down', async () => {
      app = await start(fakeRuntime({ token: TOKEN, ready: false }));
      const answer = await request(app.getHttpServer()).get('/health/ready').expect(503);
      expect(answer.body).toEqual({ status: 'error' });
      expectNoDetail(answer.text);
    });

    it('/health/live answers 200 and only { status: "ok" }', async () => {
      app = await start(fakeRuntime({ token: TOKEN, ready: false }));
      const answer = await request(app.getHttpServer()).get('/health/live').expect(200);
      expect(answer.body).toEqual({ status: 'ok' });
    });

    it('treats a wrong token, of the same length or not, like no token', async () => {
      app = await start(fakeRuntime({ token: TOKEN, ready: false }));
      for (const wrong of ['x'.repeat(TOKEN.length), 'short', `${TOKEN}-longer`]) {
        const answer = await request(app.getHttpServer()).get('/health/ready').set('Authorization', `Bearer ${wrong}`).expect(503);
        expect(answer.body).toEqual({ status: 'error' });
      }
    });
  });

  describe('with a token configured, with it', () => {
    it('/health/ready answers 200 with every stage and its plugin details', async () => {
      app = await start(fakeRuntime({ token: TOKEN, ready: true }));
      const answer = await request(app.getHttpServer()).get('/health/ready').set('Authorization', `Bearer ${TOKEN}`).expect(200);
      expect(answer.body.status).toBe('ok');
      expect(answer.body.details.transport).toEqual({ status: 'up', kind: 'embedded' });
      expect(answer.body.details['pipeline:orders'].stages.sink).toEqual({ plugin: PLUGIN, status: 'up', table: TABLE, database: SECRET_PATH });
    });

    it('/health/ready answers 503 with the failing stage and its error', async () => {
      app = await start(fakeRuntime({ token: TOKEN, ready: false }));
      const answer = await request(app.getHttpServer()).get('/health/ready').set('Authorization', `Bearer ${TOKEN}`).expect(503);
      expect(answer.body.status).toBe('error');
      expect(answer.body.error['pipeline:orders'].stages.sink).toMatchObject({ plugin: PLUGIN, status: 'down', reason: ERROR });
    });

    it('/health/live answers terminus’s full result', async () => {
      app = await start(fakeRuntime({ token: TOKEN, ready: true }));
      const answer = await request(app.getHttpServer()).get('/health/live').set('Authorization', `Bearer ${TOKEN}`).expect(200);
      expect(answer.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
    });
  });

  describe('without a token configured (local development)', () => {
    it('answers the details to everyone, 200 and 503 alike', async () => {
      app = await start(fakeRuntime({ ready: true }));
      const ready = await request(app.getHttpServer()).get('/health/ready').expect(200);
      expect(ready.body.details['pipeline:orders'].stages.sink).toMatchObject({ plugin: PLUGIN, table: TABLE });
      await app.close();
      app = await start(fakeRuntime({ ready: false }));
      const notReady = await request(app.getHttpServer()).get('/health/ready').expect(503);
      expect(notReady.body.error['pipeline:orders'].stages.sink).toMatchObject({ reason: ERROR });
    });
  });
});
