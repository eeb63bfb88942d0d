// Runs against the real PostgreSQL of the machine (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test).
// It never skips: an unreachable database fails the suite, on CI and locally alike.
import { createServer, Socket, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRecord, prepare, RecordError, type Queryable, type Sink } from '@sluice/sdk';
import pg from 'pg';
import sql from './index.js';
import { describeSqlSinkBehaviour, orderColumns } from './sql-sink.behaviour.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = `${process.pid}_${Date.now().toString(36)}`;
const schema = `sluice_test_${run}`;
const dir = mkdtempSync(join(tmpdir(), 'sluice-sql-pg-'));
const client = new pg.Client({ connectionString: DATABASE_URL });
const publicTables: string[] = [];

beforeAll(async () => {
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`PostgreSQL is required for these tests and is unreachable at DATABASE_URL (${(error as Error).message})`);
  }
});

afterAll(async () => {
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  for (const table of publicTables) await client.query(`DROP TABLE IF EXISTS "${table}"`);
  await client.end();
  rmSync(dir, { recursive: true, force: true });
});

let tables = 0;
describeSqlSinkBehaviour('PostgreSQL', {
  configDir: dir,
  connection: () => ({ driver: 'postgres', url: DATABASE_URL, schema }),
  newTable: () => `t${++tables}`,
  qualified: (table) => `"${schema}"."${table}"`,
  timestampSql: 'timestamptz',
  async exec(statement) {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(statement);
  },
});

type SqlSink = Sink & Queryable;
const order = (id: string, qty: number) => makeRecord({ id, qty, price: 2.5, where: { region: 'eu' }, at: '2024-03-01T12:00:00Z' });

function create(raw: Record<string, unknown>): SqlSink {
  const { config, context } = prepare(sql, raw, { context: { configDir: dir } });
  return sql.create(config, context) as SqlSink;
}

/** A TCP proxy to PostgreSQL that the test can cut and restore, to play a lost database. */
class CuttableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async open(): Promise<void> {
    const target = new URL(DATABASE_URL);
    this.server = createServer((incoming) => {
      const outgoing = new Socket();
      outgoing.connect(Number(target.port || 5432), target.hostname);
      for (const socket of [incoming, outgoing]) {
        this.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => this.sockets.delete(socket));
      }
      incoming.pipe(outgoing).pipe(incoming);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  url(): string {
    const url = new URL(DATABASE_URL);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }
}

describe('sql sink on PostgreSQL specifics', () => {
  it('stores timestamps as timestamptz and json as jsonb, in the configured schema', async () => {
    const table = `types_${run}`;
    const sink = create({ driver: 'postgres', url: DATABASE_URL, schema, table, key: ['id'], timeColumn: 'at', columns: [...orderColumns, { name: 'doc', type: 'json', nullable: true }] });
    await sink.start?.();
    try {
      await sink.write([makeRecord({ id: 'a', qty: 1, at: '2024-03-01T12:00:00.123+02:00', doc: { n: [1, 2] } })]);
      const types = await client.query(
        `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
        [schema, table],
      );
      expect(types.rows).toEqual([
        { column_name: 'id', data_type: 'character varying' },
        { column_name: 'qty', data_type: 'integer' },
        { column_name: 'price', data_type: 'double precision' },
        { column_name: 'region', data_type: 'character varying' },
        { column_name: 'at', data_type: 'timestamp with time zone' },
        { column_name: 'doc', data_type: 'jsonb' },
      ]);
      const indexes = await client.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY indexname`, [schema, table]);
      expect(indexes.rows.map((r) => r.indexdef)).toEqual([
        expect.stringMatching(/^CREATE UNIQUE INDEX "PK_\w+" ON .* USING btree \(id\)$/),
        expect.stringMatching(/^CREATE INDEX idx_types_\w+ ON .* USING btree \(at\)$/),
      ]);
      const stored = await client.query(`SELECT at, doc FROM "${schema}"."${table}"`);
      expect(stored.rows).toEqual([{ at: new Date('2024-03-01T10:00:00.123Z'), doc: { n: [1, 2] } }]);
    } finally {
      await sink.stop?.();
    }
  });

  it('works without a schema (search path), in a uniquely named table', async () => {
    const table = `public_${run}`;
    publicTables.push(table);
    const sink = create({ driver: 'postgres', url: DATABASE_URL, table, key: ['id'], columns: orderColumns });
    await sink.start?.();
    try {
      await sink.write([order('a', 1), order('a', 2)]);
      const stored = await client.query(`SELECT id, qty FROM "${table}"`);
      expect(stored.rows).toEqual([{ id: 'a', qty: 2 }]);
    } finally {
      await sink.stop?.();
    }
  });

  it('goes down when the connection is lost, fails writes as retryable, and recovers', async () => {
    const proxy = new CuttableProxy();
    await proxy.open();
    const table = `lost_${run}`;
    const sink = create({ driver: 'postgres', url: proxy.url(), schema, table, key: ['id'], columns: orderColumns, connectTimeoutMs: 1000 });
    await sink.start?.();
    try {
      await sink.write([order('a', 1)]);
      expect((await sink.health!()).status).toBe('up');

      await proxy.cut();
      const down = await sink.health!();
      expect(down.status).toBe('down');
      expect(down.details).toMatchObject({ driver: 'postgres', table: `${schema}.${table}` });
      const error = await sink.write([order('b', 2)]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RecordError);
      expect((error as RecordError).retryable).toBe(true);

      await proxy.open(); // same port again
      expect((await sink.health!()).status).toBe('up');
      await sink.write([order('b', 2)]);
      const stored = await client.query(`SELECT id FROM "${schema}"."${table}" ORDER BY id`);
      expect(stored.rows).toEqual([{ id: 'a' }, { id: 'b' }]);
    } finally {
      await sink.stop?.();
      await proxy.cut();
    }
  });

  it('fails to start with a retryable error that never shows the password', async () => {
    const sink = create({ driver: 'postgres', url: 'postgres://someone:hunter2@127.0.0.1:1/nowhere', table: 'x', key: ['id'], columns: orderColumns, connectTimeoutMs: 1000 });
    const error = await sink.start?.().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordError);
    expect((error as RecordError).retryable).toBe(true);
    expect((error as Error).message).toMatch(/cannot open PostgreSQL \[ECONNREFUSED\]/);
    expect(JSON.stringify({ message: (error as Error).message, details: (error as RecordError).details })).not.toContain('hunter2');
    const health = await sink.health!();
    expect(health.status).toBe('down');
    expect(JSON.stringify(health)).not.toContain('hunter2');
  });
});
