// Boots the host in-process on a small config of its own (generated requests with a timestamp
// → SQLite through the sql sink, plus named queries) and checks every Grafana endpoint of both
// wire formats with the request bodies Grafana sends (extra fields included), the Infinity rows,
// the /api/queries REST API, the bearer token and CORS. Expected numbers come from SQLite itself.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { createLogger, loadConfig } from '#runtime';
import { createHost, type SluiceHost } from '../../apps/sluice/src/host/create-host.js';

const TOKEN = 'grafana-secret-42';
const ORIGIN = 'https://grafana.example.com';
const RECORDS = 600;
const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const MINUTE = 60_000;
const FROM = '2025-01-01T00:00:00.000Z';
const TO = '2025-01-01T09:59:59.999Z';

function configText(dir: string): string {
  return `
http: { host: 127.0.0.1, port: 0, token: ${TOKEN} }
dataDir: ${join(dir, 'data')}
log: { level: warn, pretty: false }
pipelines:
  - name: metrics
    source:
      plugin: generator
      config:
        seed: 11
        count: ${RECORDS}
        fields:
          id: sequence
          ts: { type: timestamp, from: "${FROM}", stepMs: ${MINUTE} }
          city: { type: pick, values: [Paris, Berlin, Madrid] }
          status: { type: pick, values: [ok, warn, error] }
          latency: { type: float, min: 1, max: 500, decimals: 1 }
          bytes: { type: int, min: 100, max: 10000 }
    sink:
      plugin: sql
      config:
        driver: sqlite
        database: ${join(dir, 'data', 'metrics.db')}
        table: requests
        key: [id]
        timeColumn: ts
        columns:
          - { name: id, type: bigint }
          - { name: ts, type: timestamp }
          - { name: city, type: string }
          - { name: status, type: string }
          - { name: latency, type: float }
          - { name: bytes, type: integer }
    batch: { maxRecords: 100, maxWaitMs: 20 }
  - name: archive
    source:
      plugin: generator
      config: { count: 5, fields: { id: sequence } }
    sink:
      plugin: file
      config: { path: ${join(dir, 'data', 'archive.jsonl')} }
queries:
  - name: events
    description: Requests per time bucket
    pipeline: metrics
    dataset: requests
    kind: timeseries
  - name: latency-by-city
    pipeline: metrics
    dataset: requests
    kind: timeseries
    aggregation: avg
    value: latency
    groupBy: city
  - name: status-counts
    pipeline: metrics
    dataset: requests
    kind: table
    columns: [status]
    aggregations: [{ fn: count, as: events }]
    orderBy: [{ column: status }]
  - name: cities
    pipeline: metrics
    dataset: requests
    kind: table
    columns: [city]
    aggregations: [{ fn: count, as: requests }]
    orderBy: [{ column: city }]
    useTimeRange: false
  - name: errors
    pipeline: metrics
    dataset: requests
    kind: table
    columns: [ts, city, latency]
    filters: [{ column: status, op: "=", value: error }]
    orderBy: [{ column: ts }]
    limit: 500
grafana:
  enabled: true
  prefix: /grafana
  cors: { origins: ["${ORIGIN}"] }
`;
}

/** What Grafana (JSON datasource, oldQuery path) posts to /query: the whole DataQueryRequest. */
function simpodQuery(targets: object[], extra: Record<string, unknown> = {}) {
  return {
    app: 'dashboard',
    requestId: 'SQR101',
    timezone: 'browser',
    panelId: 2,
    dashboardUID: 'sluice-demo',
    range: { from: FROM, to: TO, raw: { from: 'now-10h', to: 'now' } },
    rangeRaw: { from: 'now-10h', to: 'now' },
    interval: '1m',
    intervalMs: MINUTE,
    maxDataPoints: 20,
    targets,
    scopedVars: { __interval: { text: '1m', value: '1m' }, __interval_ms: { text: '60000', value: 60000 } },
    startTime: 1735722000000,
    adhocFilters: [],
    ...extra,
  };
}

function simpodTarget(target: string, refId = 'A', payload: unknown = {}) {
  return { datasource: { type: 'simpod-json-datasource', uid: 'P1809F7CD0C75ACF3' }, refId, editorMode: 'code', target, payload };
}

/** What the SimpleJSON datasource posts to /query (its README's example request). */
function simpleJsonQuery(targets: object[], extra: Record<string, unknown> = {}) {
  return {
    panelId: 1,
    range: { from: FROM, to: TO, raw: { from: 'now-10h', to: 'now' } },
    rangeRaw: { from: 'now-10h', to: 'now' },
    interval: '30s',
    intervalMs: 30_000,
    targets,
    adhocFilters: [],
    format: 'json',
    maxDataPoints: 20,
    ...extra,
  };
}

type Datapoints = Array<[number | null, number]>;

function expectAscendingWithin(datapoints: Datapoints, from: number, to: number): void {
  for (let i = 0; i < datapoints.length; i++) {
    const time = datapoints[i]![1];
    expect(time).toBeGreaterThanOrEqual(from);
    expect(time).toBeLessThanOrEqual(to);
    if (i > 0) expect(time).toBeGreaterThan(datapoints[i - 1]![1]);
  }
}

async function eventually<T>(probe: () => T | Promise<T>, accept: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Grafana and /api/queries over a queryable sql sink', () => {
  let dir: string;
  let host: SluiceHost;
  let db: Database.Database;
  const auth = { Authorization: `Bearer ${TOKEN}` };
  const server = () => host.app.getHttpServer();
  const post = (path: string, body?: object) => {
    const call = request(server()).post(path).set(auth);
    return body === undefined ? call : call.send(body);
  };
  const oracle = <T>(sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as T[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-e2e-grafana-'));
    const file = join(dir, 'sluice.yaml');
    writeFileSync(file, configText(dir));
    const config = await loadConfig(file, { env: {} });
    host = await createHost(config, createLogger({ level: 'warn', pretty: false }), { processMetrics: false });
    await host.runtime.pipeline('metrics')!.sourceFinished();
    db = new Database(join(dir, 'data', 'metrics.db'), { readonly: true, fileMustExist: true });
    await eventually(() => (db.prepare('SELECT COUNT(*) AS n FROM requests').get() as { n: number }).n, (n) => n === RECORDS);
  });

  afterAll(async () => {
    db?.close();
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('the bearer token and CORS', () => {
    it('answers 401 without the token or with a wrong one, 200 with it', async () => {
      await request(server()).get('/grafana').expect(401);
      await request(server()).post('/grafana/query').send(simpodQuery([simpodTarget('events')])).expect(401);
      await request(server()).post('/grafana/simple/search').set('Authorization', 'Bearer nope').send({ target: '' }).expect(401);
      await request(server()).get('/grafana/infinity?target=events').expect(401);
      await request(server()).get('/api/queries').expect(401);
      await request(server()).get('/grafana').set(auth).expect(200);
      await request(server()).get('/api/queries').set(auth).expect(200);
    });

    it('answers the preflight of an allowed origin with the methods and requested headers', async () => {
      const preflight = await request(server())
        .options('/grafana/query')
        .set('Origin', ORIGIN)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization,content-type')
        .expect(204);
      expect(preflight.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(preflight.headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS');
      expect(preflight.headers['access-control-allow-headers']).toBe('authorization,content-type');
      expect(preflight.headers['access-control-max-age']).toBe('600');
      expect(preflight.headers.vary).toContain('Origin');
      const root = await request(server()).options('/grafana').set('Origin', ORIGIN).set('Access-Control-Request-Method', 'GET').expect(204);
      expect(root.headers['access-control-allow-origin']).toBe(ORIGIN);
      const simple = await request(server()).options('/grafana/simple/annotations').set('Origin', ORIGIN).set('Access-Control-Request-Method', 'POST').expect(204);
      expect(simple.headers['access-control-allow-headers']).toBe('accept, authorization, content-type');
    });

    it('refuses the preflight of another origin and sends it no CORS headers', async () => {
      const refused = await request(server()).options('/grafana/query').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST').expect(403);
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
      const post = await request(server()).post('/grafana/metrics').set(auth).set('Origin', 'https://evil.example').send({}).expect(200);
      expect(post.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('puts the CORS header on answers to an allowed origin, 401s included', async () => {
      const ok = await request(server()).post('/grafana/metrics').set(auth).set('Origin', ORIGIN).send({}).expect(200);
      expect(ok.headers['access-control-allow-origin']).toBe(ORIGIN);
      const denied = await request(server()).post('/grafana/metrics').set('Origin', ORIGIN).send({}).expect(401);
      expect(denied.headers['access-control-allow-origin']).toBe(ORIGIN);
    });
  });

  describe('JSON datasource (simpod) at /grafana', () => {
    it('GET / answers 200 for "Save & test"', async () => {
      const res = await request(server()).get('/grafana/').set(auth).expect(200);
      expect(res.body.status).toBe('ok');
    });

    it('POST /metrics lists the named queries and the queryable datasets with their payloads', async () => {
      for (const body of [{}, { metric: 'events', payload: { namespace: 'x' } }]) {
        const res = await post('/grafana/metrics', body).expect(200);
        const values = res.body.map((m: { value: string }) => m.value);
        expect(values).toEqual(['events', 'latency-by-city', 'status-counts', 'cities', 'errors', 'metrics/requests']);
        expect(res.body[0]).toEqual({ label: 'events (Requests per time bucket)', value: 'events', payloads: [] });
        const dataset = res.body[5];
        expect(dataset.payloads.map((p: { name: string }) => p.name)).toEqual(['kind', 'aggregation', 'value', 'weight', 'groupBy', 'columns', 'limit']);
        const payload = (name: string) => dataset.payloads.find((p: { name: string }) => p.name === name);
        const numberColumns = [{ label: 'id', value: 'id' }, { label: 'latency', value: 'latency' }, { label: 'bytes', value: 'bytes' }];
        expect(payload('value')).toMatchObject({ name: 'value', type: 'select', options: numberColumns });
        expect(payload('weight')).toMatchObject({ name: 'weight', type: 'select', options: numberColumns });
        expect(payload('columns').type).toBe('multi-select');
      }
    });

    it('POST /metric-payload-options lists the options of one payload', async () => {
      const res = await post('/grafana/metric-payload-options', { metric: 'metrics/requests', payload: { kind: 'timeseries' }, name: 'aggregation' }).expect(200);
      expect(res.body.map((o: { value: string }) => o.value)).toEqual(['count', 'sum', 'avg', 'min', 'max']);
      const kinds = await post('/grafana/metric-payload-options', { metric: 'metrics/requests', payload: {}, name: 'kind' }).expect(200);
      expect(kinds.body).toEqual([
        { label: 'Time series', value: 'timeseries' },
        { label: 'Table', value: 'table' },
      ]);
      const bad = await post('/grafana/metric-payload-options', { metric: 'metrics/request', payload: {}, name: 'kind' }).expect(400);
      expect(bad.body.message).toContain('did you mean "metrics/requests"?');
    });

    it('POST /query answers a time series in ascending [value, epochMs] pairs inside the range, at most maxDataPoints', async () => {
      const res = await post('/grafana/query', simpodQuery([simpodTarget('events')])).expect(200);
      expect(res.body).toHaveLength(1);
      const [series] = res.body;
      expect(series.target).toBe('events');
      expect(series.refId).toBe('A');
      const points: Datapoints = series.datapoints;
      expect(points.length).toBeLessThanOrEqual(20);
      expectAscendingWithin(points, T0, Date.parse(TO));
      expect(points.reduce((sum, [v]) => sum + (v ?? 0), 0)).toBe(RECORDS);
      // max(intervalMs, range / maxDataPoints) = 30 minutes: 20 buckets of 30 requests.
      expect(points).toEqual(Array.from({ length: 20 }, (_, i) => [30, T0 + i * 30 * MINUTE]));
    });

    it('honours a smaller maxDataPoints and a larger intervalMs', async () => {
      const few = await post('/grafana/query', simpodQuery([simpodTarget('events')], { maxDataPoints: 7 })).expect(200);
      expect(few.body[0].datapoints.length).toBeLessThanOrEqual(7);
      expect(few.body[0].datapoints.reduce((s: number, [v]: [number]) => s + v, 0)).toBe(RECORDS);
      const hourly = await post('/grafana/query', simpodQuery([simpodTarget('events')], { intervalMs: 3_600_000, maxDataPoints: 1000 })).expect(200);
      expect(hourly.body[0].datapoints).toEqual(Array.from({ length: 10 }, (_, i) => [60, T0 + i * 3_600_000]));
    });

    it('keeps to a narrower range', async () => {
      const from = T0 + 60 * MINUTE;
      const to = T0 + 180 * MINUTE - 1;
      const body = simpodQuery([simpodTarget('events')], { range: { from: new Date(from).toISOString(), to: new Date(to).toISOString(), raw: { from: 'now-2h', to: 'now' } } });
      const points: Datapoints = (await post('/grafana/query', body).expect(200)).body[0].datapoints;
      expectAscendingWithin(points, from, to);
      expect(points.reduce((s, [v]) => s + (v ?? 0), 0)).toBe(120);
    });

    it('answers one series per group, named by the group, with the averages SQLite computes', async () => {
      const res = await post('/grafana/query', simpodQuery([simpodTarget('latency-by-city', 'B')], { maxDataPoints: 10 })).expect(200);
      expect(res.body.map((s: { target: string }) => s.target).sort()).toEqual(['Berlin', 'Madrid', 'Paris']);
      const bucket = 60 * MINUTE;
      const expected = oracle<{ city: string; b: number; v: number }>('SELECT city, CAST((ts - ?) / ? AS INTEGER) AS b, AVG(latency) AS v FROM requests GROUP BY 1, 2 ORDER BY 1, 2', T0, bucket);
      for (const series of res.body as Array<{ target: string; refId: string; datapoints: Datapoints }>) {
        expect(series.refId).toBe('B');
        expectAscendingWithin(series.datapoints, T0, Date.parse(TO));
        const mine = expected.filter((e) => e.city === series.target);
        expect(series.datapoints.map(([, t]) => t)).toEqual(mine.map((e) => T0 + e.b * bucket));
        series.datapoints.forEach(([v], i) => expect(v).toBeCloseTo(mine[i]!.v, 6));
      }
    });

    it('answers a table query as { type: "table", columns, rows }', async () => {
      const res = await post('/grafana/query', simpodQuery([simpodTarget('status-counts', 'C')])).expect(200);
      const counts = oracle<{ status: string; n: number }>('SELECT status, COUNT(*) AS n FROM requests GROUP BY status ORDER BY status');
      expect(res.body).toEqual([
        {
          type: 'table',
          columns: [
            { text: 'status', type: 'string' },
            { text: 'events', type: 'number' },
          ],
          rows: counts.map((c) => [c.status, c.n]),
          refId: 'C',
        },
      ]);
    });

    it('queries a dataset target through its payload (builder strings included), several targets at once', async () => {
      const res = await post(
        '/grafana/query',
        simpodQuery([
          simpodTarget('metrics/requests', 'A', { kind: 'timeseries', aggregation: 'max', value: 'latency', groupBy: '', columns: [], limit: '' }),
          simpodTarget('metrics/requests', 'B', { kind: 'table', columns: ['id', 'city'], limit: '5' }),
          { ...simpodTarget('events', 'C'), hide: true },
        ]),
      ).expect(200);
      expect(res.body).toHaveLength(2);
      const [max, table] = res.body;
      expect(max.target).toBe('metrics/requests');
      const top = oracle<{ v: number }>('SELECT MAX(latency) AS v FROM requests WHERE ts < ?', T0 + 30 * MINUTE)[0]!.v;
      expect(max.datapoints[0]).toEqual([top, T0]);
      expect(table.columns).toEqual([
        { text: 'id', type: 'number' },
        { text: 'city', type: 'string' },
      ]);
      // Newest first, 5 rows.
      expect(table.rows.map((r: unknown[]) => r[0])).toEqual([599, 598, 597, 596, 595]);
    });

    it('applies ad hoc filters (adhocFilters, or Grafana 10 `filters`) to the datasets that have the column', async () => {
      const paris = oracle<{ n: number }>("SELECT COUNT(*) AS n FROM requests WHERE city = 'Paris'")[0]!.n;
      for (const extra of [{ adhocFilters: [{ key: 'city', operator: '=', value: 'Paris' }] }, { adhocFilters: undefined, filters: [{ key: 'city', operator: '=', value: 'Paris', condition: '' }] }]) {
        const res = await post('/grafana/query', simpodQuery([simpodTarget('events')], extra)).expect(200);
        expect(res.body[0].datapoints.reduce((s: number, [v]: [number]) => s + v, 0)).toBe(paris);
      }
      const many = await post('/grafana/query', simpodQuery([simpodTarget('events')], { adhocFilters: [{ key: 'bytes', operator: '>', value: '5000' }, { key: 'host', operator: '=', value: 'x' }] })).expect(200);
      const big = oracle<{ n: number }>('SELECT COUNT(*) AS n FROM requests WHERE bytes > 5000')[0]!.n;
      expect(many.body[0].datapoints.reduce((s: number, [v]: [number]) => s + v, 0)).toBe(big);
      const regex = await post('/grafana/query', simpodQuery([simpodTarget('events')], { adhocFilters: [{ key: 'city', operator: '=~', value: 'P.*' }] })).expect(400);
      expect(regex.body.message).toContain('regular-expression operators are not supported');
    });

    it('POST /variable answers [{ __text, __value }] from a named table query or a column', async () => {
      const cities = await post('/grafana/variable', { payload: { target: 'cities' }, range: { from: FROM, to: TO, raw: { from: 'now-10h', to: 'now' } } }).expect(200);
      const expected = oracle<{ city: string; n: number }>('SELECT city, COUNT(*) AS n FROM requests GROUP BY city ORDER BY city');
      expect(cities.body).toEqual(expected.map((e) => ({ __text: e.city, __value: String(e.n) })));
      const statuses = await post('/grafana/variable', { payload: { target: 'metrics/requests/status' }, range: { from: FROM, to: TO } }).expect(200);
      expect(statuses.body).toEqual(['error', 'ok', 'warn'].map((s) => ({ __text: s, __value: s })));
      await post('/grafana/variable', { payload: 'metrics/requests/city' }).expect(200);
      const bad = await post('/grafana/variable', { payload: { query: 'x' }, range: { from: FROM, to: TO } }).expect(400);
      expect(bad.body.message).toContain('payload.target is required');
    });

    it('POST /tag-keys takes an empty body; POST /tag-values lists the values of a key', async () => {
      const keys = await post('/grafana/tag-keys').expect(200);
      expect(keys.body).toEqual([
        { type: 'number', text: 'id' },
        { type: 'string', text: 'ts' },
        { type: 'string', text: 'city' },
        { type: 'string', text: 'status' },
        { type: 'number', text: 'latency' },
        { type: 'number', text: 'bytes' },
      ]);
      await post('/grafana/tag-keys', {}).expect(200);
      const values = await post('/grafana/tag-values', { key: 'city' }).expect(200);
      expect(values.body).toEqual([{ text: 'Berlin' }, { text: 'Madrid' }, { text: 'Paris' }]);
      const missing = await post('/grafana/tag-values', {}).expect(400);
      expect(missing.body.message).toContain('key is required');
    });

    it('answers 400 with a clear message for what is missing or wrong', async () => {
      const noRange = await post('/grafana/query', { targets: [simpodTarget('events')] }).expect(400);
      expect(noRange.body.message).toContain('range is required');
      const unknown = await post('/grafana/query', simpodQuery([simpodTarget('event')])).expect(400);
      expect(unknown.body.message).toMatch(/targets\[0\]: unknown target "event" \(did you mean "events"\?\)/);
      const noTarget = await post('/grafana/query', simpodQuery([{ refId: 'A', payload: {} }])).expect(400);
      expect(noTarget.body.message).toContain('targets[0].target is required');
      const badPayload = await post('/grafana/query', simpodQuery([simpodTarget('metrics/requests', 'A', { aggregation: 'avg', value: 'city' })])).expect(400);
      expect(badPayload.body.message).toContain('"avg" needs a number column');
      const namedPayload = await post('/grafana/query', simpodQuery([simpodTarget('events', 'A', { value: 'x' })])).expect(400);
      expect(namedPayload.body.message).toContain('takes no payload');
      const badRange = await post('/grafana/query', simpodQuery([simpodTarget('events')], { range: { from: 'yesterday', to: TO } })).expect(400);
      expect(badRange.body.message).toContain('range.from must be');
    });
  });

  describe('SimpleJSON at /grafana/simple', () => {
    it('GET / answers 200', async () => {
      await request(server()).get('/grafana/simple').set(auth).expect(200);
    });

    it('POST /search lists target names, filtered by the text typed, or the values of a column', async () => {
      const all = await post('/grafana/simple/search', { target: '' }).expect(200);
      expect(all.body).toEqual(['events', 'latency-by-city', 'status-counts', 'cities', 'errors', 'metrics/requests']);
      const some = await post('/grafana/simple/search', { target: 'CIT', type: 'timeserie' }).expect(200);
      expect(some.body).toEqual(['latency-by-city', 'cities']);
      await post('/grafana/simple/search').expect(200);
      const values = await post('/grafana/simple/search', { target: 'metrics/requests/city' }).expect(200);
      expect(values.body).toEqual(['Berlin', 'Madrid', 'Paris'].map((c) => ({ text: c, value: c })));
    });

    it('POST /query answers type timeserie as series and type table as tables', async () => {
      const res = await post(
        '/grafana/simple/query',
        simpleJsonQuery([
          { target: 'events', refId: 'A', type: 'timeserie', hide: false },
          { target: 'status-counts', refId: 'B', type: 'table' },
          { target: 'events', refId: 'C', type: 'table' },
          { target: 'metrics/requests', refId: 'D', type: 'table' },
          { target: 'metrics/requests', refId: 'E' },
        ]),
      ).expect(200);
      const [series, table, wide, rows, count] = res.body;
      expect(series.target).toBe('events');
      expect(series.datapoints).toHaveLength(20);
      expectAscendingWithin(series.datapoints, T0, Date.parse(TO));
      expect(table).toMatchObject({ type: 'table', refId: 'B', columns: [{ text: 'status', type: 'string' }, { text: 'events', type: 'number' }] });
      expect(wide.columns).toEqual([
        { text: 'Time', type: 'time' },
        { text: 'events', type: 'number' },
      ]);
      expect(wide.rows).toEqual(series.datapoints.map(([v, t]: [number, number]) => [t, v]));
      expect(rows.columns.map((c: { text: string }) => c.text)).toEqual(['id', 'ts', 'city', 'status', 'latency', 'bytes']);
      expect(rows.rows).toHaveLength(RECORDS);
      expect(rows.columns[1].type).toBe('time');
      expect(count.target).toBe('metrics/requests');
      expect(count.datapoints.reduce((s: number, [v]: [number]) => s + v, 0)).toBe(RECORDS);
    });

    it('refuses a table query asked as a time series, and an unknown type', async () => {
      const res = await post('/grafana/simple/query', simpleJsonQuery([{ target: 'status-counts', refId: 'A', type: 'timeserie' }])).expect(400);
      expect(res.body.message).toContain('is a table query');
      const type = await post('/grafana/simple/query', simpleJsonQuery([{ target: 'events', refId: 'A', type: 'graph' }])).expect(400);
      expect(type.body.message).toContain('targets[0].type must be "timeserie" or "table"');
    });

    it('POST /annotations turns the rows of a table query into annotations within the range', async () => {
      const from = T0 + 120 * MINUTE;
      const to = T0 + 240 * MINUTE;
      const annotation = { name: 'errors', datasource: 'Sluice SimpleJSON', iconColor: 'rgba(255, 96, 96, 1)', enable: true, query: 'errors' };
      const res = await post('/grafana/simple/annotations', {
        range: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
        rangeRaw: { from: 'now-1h', to: 'now' },
        annotation,
      }).expect(200);
      const errors = oracle<{ ts: number; city: string; latency: number }>("SELECT ts, city, latency FROM requests WHERE status = 'error' AND ts BETWEEN ? AND ? ORDER BY ts", from, to);
      expect(errors.length).toBeGreaterThan(0);
      expect(res.body).toEqual(errors.map((e) => ({ annotation, time: e.ts, title: e.city, text: `latency: ${e.latency}` })));
      const missing = await post('/grafana/simple/annotations', { range: { from: FROM, to: TO }, annotation: { name: 'x' } }).expect(400);
      expect(missing.body.message).toContain('annotation.query is required');
    });

    it('POST /tag-keys and /tag-values answer like the JSON datasource', async () => {
      const keys = await post('/grafana/simple/tag-keys').expect(200);
      expect(keys.body.map((k: { text: string }) => k.text)).toContain('status');
      const values = await post('/grafana/simple/tag-values', { key: 'status' }).expect(200);
      expect(values.body).toEqual([{ text: 'error' }, { text: 'ok' }, { text: 'warn' }]);
    });
  });

  describe('Infinity at /grafana/infinity', () => {
    it('answers plain JSON rows: a time series wide and ascending, a table by column name', async () => {
      const res = await request(server())
        .get('/grafana/infinity')
        .query({ target: 'latency-by-city', from: String(T0), to: String(Date.parse(TO)), intervalMs: '3600000' })
        .set(auth)
        .expect(200);
      expect(res.body).toHaveLength(10);
      expect(Object.keys(res.body[0]).sort()).toEqual(['Berlin', 'Madrid', 'Paris', 'Time']);
      expect(res.body.map((r: { Time: number }) => r.Time)).toEqual(Array.from({ length: 10 }, (_, i) => T0 + i * 3_600_000));
      const table = await request(server()).get('/grafana/infinity').query({ target: 'metrics/requests', kind: 'table', columns: 'id,city', limit: '3', from: FROM, to: TO }).set(auth).expect(200);
      expect(table.body).toEqual(oracle<{ id: number; city: string }>('SELECT id, city FROM requests ORDER BY ts DESC LIMIT 3'));
      await request(server()).get('/grafana/infinity').set(auth).expect(400);
    });
  });

  describe('REST /api/queries', () => {
    it('lists the named queries', async () => {
      const res = await request(server()).get('/api/queries').set(auth).expect(200);
      expect(res.body.queries.map((q: { name: string }) => q.name)).toEqual(['events', 'latency-by-city', 'status-counts', 'cities', 'errors']);
      expect(res.body.queries[1]).toEqual({
        name: 'latency-by-city',
        pipeline: 'metrics',
        dataset: 'requests',
        kind: 'timeseries',
        aggregation: 'avg',
        value: 'latency',
        groupBy: 'city',
        filters: [],
        rangeMs: 86_400_000,
      });
    });

    it('answers a time series for from/to/maxDataPoints, and a table', async () => {
      const res = await request(server()).get('/api/queries/events').query({ from: FROM, to: TO, maxDataPoints: '10' }).set(auth).expect(200);
      expect(res.body).toEqual({
        name: 'events',
        kind: 'timeseries',
        from: T0,
        to: Date.parse(TO),
        intervalMs: 3_600_000,
        series: [{ name: 'count', points: Array.from({ length: 10 }, (_, i) => [60, T0 + i * 3_600_000]) }],
      });
      const table = await request(server()).get('/api/queries/cities').set(auth).expect(200);
      expect(table.body).toMatchObject({ name: 'cities', kind: 'table', columns: [{ name: 'city', type: 'string' }, { name: 'requests', type: 'number' }] });
      expect(table.body.from).toBeUndefined();
      expect(table.body.rows.reduce((s: number, r: [string, number]) => s + r[1], 0)).toBe(RECORDS);
    });

    it('defaults to the last rangeMs up to now, and reports bad parameters and unknown names', async () => {
      const recent = await request(server()).get('/api/queries/events').set(auth).expect(200);
      expect(recent.body.to - recent.body.from).toBe(86_400_000);
      expect(recent.body.series).toEqual([{ name: 'count', points: [] }]);
      const bad = await request(server()).get('/api/queries/events').query({ from: 'soon' }).set(auth).expect(400);
      expect(bad.body.message).toContain('from must be epoch milliseconds');
      const extra = await request(server()).get('/api/queries/events').query({ form: '1' }).set(auth).expect(400);
      expect(extra.body.message).toContain('unknown query parameter(s) "form"');
      const unknown = await request(server()).get('/api/queries/event').set(auth).expect(404);
      expect(unknown.body.message).toContain('did you mean "events"?');
    });
  });
});

describe('a named query over a sink that cannot be queried', () => {
  it('fails the startup with a message naming the query, the pipeline and the plugin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-e2e-grafana-bad-'));
    try {
      const file = join(dir, 'sluice.yaml');
      writeFileSync(
        file,
        `
http: { enabled: false }
dataDir: ${join(dir, 'data')}
log: { level: silent }
pipelines:
  - name: archive
    source: { plugin: generator, config: { count: 3, fields: { id: sequence } } }
    sink: { plugin: file, config: { path: ${join(dir, 'data', 'archive.jsonl')} } }
queries:
  - { name: archived, pipeline: archive, dataset: archive, kind: table }
`,
      );
      const config = await loadConfig(file, { env: {} });
      await expect(createHost(config, createLogger({ level: 'silent', pretty: false }), { processMetrics: false })).rejects.toThrow(
        /queries\[0\] \(query "archived"\): the sink of pipeline "archive" \(plugin "file"\) cannot be queried: it does not implement the queryable capability/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
