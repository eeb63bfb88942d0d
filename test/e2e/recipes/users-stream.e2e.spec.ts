// Reference pipeline 1 end to end: config/pipelines/users-stream.yaml run by the CLI against the
// real Kafka and Cassandra. A scheduled job triggers the http source, which calls a local server
// answering like randomuser.me; each user goes through the topic into spark_streams.created_users.
// Checks the rows, the topic (no password hashes), the job's runs in /api/jobs and /metrics, the
// REST and Grafana answers.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import cassandra from 'cassandra-driver';
import { Kafka, logLevel } from 'kafkajs';
import { startFixtureServer, type FixtureServer } from '../../fixtures/http/fixture-server.js';
import { startRecipe, until, type RecipeHost } from './recipe-host.js';

jest.setTimeout(300_000);

const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const contactPoints = (process.env.CASSANDRA_CONTACT_POINTS || '127.0.0.1:9042').split(',');
const localDataCenter = process.env.CASSANDRA_LOCAL_DC || 'datacenter1';
const CALLS_PER_RUN = 3;
/** The distinct users the test API hands out, in turn: once all were served, the table stops growing. */
const USERS = 9;

interface User {
  gender: string;
  name: { title: string; first: string; last: string };
  location: { street: { number: number; name: string }; city: string; state: string; country: string; postcode: number | string };
  email: string;
  login: { uuid: string; username: string; password: string; sha256: string };
  dob: { date: string; age: number };
  registered: { date: string; age: number };
  phone: string;
  picture: { medium: string };
}

describe('recipe users-stream (job → randomuser → Kafka → Cassandra)', () => {
  const run = randomUUID().replace(/-/g, '').slice(0, 10);
  const keyspace = `users_e2e_${run}`;
  const topic = `users_created_${run}`;
  const token = `token-${run}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-users-'));
  const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'users-e2e', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const db = new cassandra.Client({ contactPoints, localDataCenter });
  const served: User[] = [];
  let api: FixtureServer;
  let host: RecipeHost | undefined;

  beforeAll(async () => {
    api = await startFixtureServer((request, response, server) => {
      const url = new URL(request.url, server.baseUrl);
      if (request.method !== 'GET' || url.pathname !== '/api/' || url.searchParams.get('results') !== '1') return;
      const recorded = [1, 2].flatMap((page) => (JSON.parse(server.fixture(`randomuser/page-${page}.json`)) as { results: User[] }).results);
      const n = served.length % USERS;
      const base = recorded[n % recorded.length]!;
      const user: User = { ...base, email: `${n}.${base.email}`, login: { ...base.login, uuid: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`, username: `${base.login.username}${n}` } };
      served.push(user);
      server.sendJson(response, { results: [user], info: { seed: `s${n}`, results: 1, page: 1, version: '1.4' } });
    });
    await admin.connect();
    await db.connect();
  });

  afterAll(async () => {
    if (host) await host.stop();
    await db.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
    await db.shutdown();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    await api.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores every user the scheduled job fetched, flattened, and serves them', async () => {
    host = await startRecipe(
      'config/pipelines/users-stream.yaml',
      {
        KAFKA_BROKERS: brokers,
        CASSANDRA_CONTACT_POINTS: contactPoints.join(','),
        CASSANDRA_LOCAL_DC: localDataCenter,
        RANDOMUSER_URL: api.baseUrl,
        USERS_TOPIC: topic,
        USERS_KEYSPACE: keyspace,
        USERS_FETCH_EVERY_MS: '1500',
        USERS_CALLS_PER_RUN: String(CALLS_PER_RUN),
        USERS_CALL_SPACING_MS: '20',
        SLUICE_DATA_DIR: dataDir,
      },
      token,
    );

    // Two runs of the job at least (the one at start, then on the interval).
    const job = await until(
      async () => {
        const answer = await host!.call('GET', '/api/jobs/fetch-users');
        return answer.status === 200 && (answer.body.counts?.ok ?? 0) >= 2 ? answer.body : undefined;
      },
      'two successful runs of the fetch-users job',
      120_000,
      host,
    );
    expect(job.lastRun.outcome).toBe('ok');
    expect(job.lastRun.result.records).toBe(CALLS_PER_RUN);
    expect((await host.call('GET', '/api/jobs', undefined, null)).status).toBe(401);

    // Every user served reaches the table (rows are upserts by id: a user served again is one row).
    await until(() => served.length >= USERS, `the ${USERS} users served`, 60_000, host);
    const wanted = served.slice(0, USERS);
    const rows = await until(
      async () => {
        const result = await db.execute(`SELECT * FROM ${keyspace}.created_users`);
        const ids = new Set(result.rows.map((r) => r.id.toString()));
        return result.rows.length === USERS && wanted.every((u) => ids.has(u.login.uuid)) ? result.rows : undefined;
      },
      `the ${wanted.length} users in created_users`,
      120_000,
      host,
    );
    for (const user of wanted) {
      const row = rows.find((r) => r.id.toString() === user.login.uuid)!;
      const { street, city, state, country, postcode } = user.location;
      expect({
        first_name: row.first_name,
        last_name: row.last_name,
        gender: row.gender,
        address: row.address,
        post_code: row.post_code,
        email: row.email,
        username: row.username,
        dob: row.dob.toISOString(),
        registered_date: row.registered_date.toISOString(),
        phone: row.phone,
        picture: row.picture,
        country: row.country,
      }).toEqual({
        first_name: user.name.first,
        last_name: user.name.last,
        gender: user.gender,
        address: `${street.number} ${street.name}, ${city}, ${state}, ${country}`,
        post_code: String(postcode),
        email: user.email,
        username: user.login.username,
        dob: user.dob.date,
        registered_date: user.registered.date,
        phone: user.phone,
        picture: user.picture.medium,
        country,
      });
      expect(row.ingested_at).toBeInstanceOf(Date);
    }

    // The topic carries the users, without the login's password or its hashes.
    const consumer = kafka.consumer({ groupId: `users-e2e-check-${run}` });
    const messages: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void messages.push(message.value!.toString()) });
    await until(() => messages.length >= wanted.length, 'the users on the topic', 60_000);
    await consumer.disconnect();
    await admin.deleteGroups([`users-e2e-check-${run}`]).catch(() => undefined);
    for (const text of messages) {
      const value = JSON.parse(text) as User;
      expect(Object.keys(value.login).sort()).toEqual(['username', 'uuid']);
      expect(text).not.toContain(wanted[0]!.login.sha256);
    }

    // Jobs in /metrics; a run on demand.
    const metrics = await host.call('GET', '/metrics', undefined, null);
    const okRuns = metrics.text.split('\n').find((line) => line.startsWith('sluice_job_runs_total{') && line.includes('job="fetch-users"') && line.includes('outcome="ok"'));
    expect(Number(okRuns?.split(' ').at(-1))).toBeGreaterThanOrEqual(2);
    const manual = await until(
      async () => {
        const answer = await host!.call('POST', '/api/jobs/fetch-users/run');
        return answer.status === 200 ? answer.body : undefined; // 409 while a scheduled run is under way
      },
      'a manual run of fetch-users',
      30_000,
      host,
    );
    expect(manual.outcome).toBe('ok');

    // REST and Grafana over the stored users.
    const stored = (await db.execute(`SELECT gender, country FROM ${keyspace}.created_users`)).rows;
    const byGender = new Map<string, number>();
    for (const row of stored) byGender.set(row.gender, (byGender.get(row.gender) ?? 0) + 1);
    const genders = await host.call('GET', '/api/queries/users-by-gender');
    expect(genders.status).toBe(200);
    expect(Object.fromEntries(genders.body.rows)).toEqual(Object.fromEntries(byGender));
    const countries = await host.call('GET', '/api/queries/users-by-country');
    expect(countries.status).toBe(200);
    expect(countries.body.rows.reduce((n: number, r: [string, number]) => n + r[1], 0)).toBe(stored.length);

    const dashboard = JSON.parse(readFileSync('config/grafana/dashboards/users.json', 'utf8')) as { panels: Array<{ title: string; targets?: Array<{ target: string; refId?: string; payload?: unknown }> }> };
    const now = Date.now();
    for (const target of dashboard.panels.flatMap((p) => p.targets ?? [])) {
      const answer = await host.call('POST', '/grafana/query', {
        range: { from: new Date(now - 86_400_000).toISOString(), to: new Date(now + 60_000).toISOString() },
        intervalMs: 60_000,
        maxDataPoints: 1000,
        targets: [{ refId: target.refId ?? 'A', target: target.target, payload: target.payload ?? {} }],
      });
      expect({ target: target.target, status: answer.status }).toEqual({ target: target.target, status: 200 });
      expect(answer.body.length).toBeGreaterThan(0);
    }

    expect(await host.stop()).toBe(0);
    host = undefined;
  });
});
