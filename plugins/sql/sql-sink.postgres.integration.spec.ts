// Runs against the real PostgreSQL of the machine (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test).
// It never skips: an unreachable database fails the suite, on CI and locally alike.
import { createServer, Socket, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRecord, prepare, RecordError, type Queryable, type Sink, type SluiceRecord } from '@sluice/sdk';
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

describe('sql sink on PostgreSQL: COPY loads and cancellation', () => {
  const open: SqlSink[] = [];
  const clients: pg.Client[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((sink) => sink.stop?.()));
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
  });

  let tables = 0;
  const newTable = (label: string) => `${label}_${++tables}_${run}`;
  const qualified = (table: string) => `"${schema}"."${table}"`;

  async function started(raw: Record<string, unknown>): Promise<SqlSink> {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const sink = create({ driver: 'postgres', url: DATABASE_URL, schema, key: ['id'], columns: orderColumns, ...raw });
    await sink.start?.();
    open.push(sink);
    return sink;
  }

  /** Records every statement that writes the table (a statement-level trigger logs current_query()). */
  async function logStatements(table: string): Promise<() => Promise<string[]>> {
    const log = `${table}_log`;
    await client.query(`CREATE TABLE ${qualified(log)} (n serial, statement text)`);
    await client.query(
      `CREATE FUNCTION "${schema}"."${table}_logger"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO ${qualified(log)} (statement) VALUES (current_query()); RETURN NULL; END $$`,
    );
    await client.query(`CREATE TRIGGER "${table}_logged" AFTER INSERT ON ${qualified(table)} FOR EACH STATEMENT EXECUTE FUNCTION "${schema}"."${table}_logger"()`);
    return async () => (await client.query(`SELECT statement FROM ${qualified(log)} ORDER BY n`)).rows.map((r) => String(r.statement).split(' (')[0]);
  }

  /** Every column as PostgreSQL's own text, ordered by key: what both write paths must agree on to the byte. */
  async function storedText(table: string, columns: readonly string[]): Promise<string[][]> {
    const result = await client.query({ text: `SELECT ${columns.map((c, i) => `"${c}"::text AS "c${i}"`).join(', ')} FROM ${qualified(table)} ORDER BY "${columns[0]}"`, rowMode: 'array' });
    return result.rows as string[][];
  }

  const nasty = [
    '',
    ' ',
    '\\',
    '\\N',
    'N',
    '\\.',
    '.',
    '\t',
    '\n',
    '\r\n',
    'a\tb\nc\\d\re',
    '"quoted", \'single\'',
    'é ñ ü ß 中文 😀 \u{1F469}\u200D\u{1F4BB} e\u0301',
    '\u2028\u2029\u0001\u001f\u007f\b\f\v',
    'NULL',
    'null',
    `long ${'\\\t\n'.repeat(30_000)} end`, // longer than one 64 KiB chunk
  ];

  const everyType = [
    { name: 'id', type: 'integer' },
    { name: 's', type: 'string', nullable: true },
    { name: 'tx', type: 'text', nullable: true },
    { name: 'i', type: 'integer', nullable: true },
    { name: 'big', type: 'bigint', nullable: true },
    { name: 'f', type: 'float', nullable: true },
    { name: 'b', type: 'boolean', nullable: true },
    { name: 't', type: 'timestamp', nullable: true },
    { name: 'j', type: 'json', nullable: true },
  ];

  function everyTypeRecords() {
    const values = [
      { i: -2147483648, big: '-9223372036854775808', f: -1.7976931348623157e308, b: false, t: '0001-01-01T00:00:00Z' },
      { i: 2147483647, big: '9223372036854775807', f: 5e-324, b: true, t: '9999-12-31T23:59:59.999Z' },
      { i: 0, big: 9007199254740993n, f: -0, b: 'true', t: '2024-02-29T23:59:59.999+01:00' },
      { i: '17', big: -5, f: 0.1, b: 0, t: 1_700_000_000_123.4 },
      { i: null, big: null, f: 1e-7, b: null, t: null },
    ];
    return nasty.map((text, n) =>
      makeRecord({
        id: n,
        s: text,
        tx: [...text].reverse().join(''),
        ...values[n % values.length],
        j: n % 3 === 0 ? { text, list: [text, n, null, true], nested: { 'key "\\\n': text } } : n % 3 === 1 ? text : n === 2 ? null : [1.5, 0, 'x'],
      }),
    );
  }

  it('stores every column type and nasty strings through COPY exactly as through INSERT, and reads them back', async () => {
    const viaCopy = newTable('copy_types');
    const viaInsert = newTable('insert_types');
    const copying = await started({ table: viaCopy, columns: everyType, copyThreshold: 1 });
    const inserting = await started({ table: viaInsert, columns: everyType, copyThreshold: 1_000_000 });
    const copyStatements = await logStatements(viaCopy);
    const insertStatements = await logStatements(viaInsert);
    const records = everyTypeRecords();
    expect(await copying.write(records)).toBeUndefined();
    expect(await inserting.write(records)).toBeUndefined();
    expect(await copyStatements()).toEqual([`INSERT INTO "${schema}"."${viaCopy}"`]);
    expect((await client.query(`SELECT statement FROM ${qualified(`${viaCopy}_log`)}`)).rows[0].statement).toMatch(/SELECT .* FROM pg_temp\."sluice_copy_stage" ON CONFLICT/);
    expect((await client.query(`SELECT statement FROM ${qualified(`${viaInsert}_log`)}`)).rows[0].statement).toMatch(/ VALUES \(\$1, /);
    expect(await insertStatements()).toHaveLength(1);

    const names = everyType.map((c) => c.name);
    const copied = await storedText(viaCopy, names);
    expect(copied).toEqual(await storedText(viaInsert, names));
    expect(copied).toHaveLength(nasty.length);
    // The values as the sink reads them back: every string intact, -0 and the extremes kept.
    const result = await copying.queryTable({ dataset: viaCopy, orderBy: [{ column: 'id', direction: 'asc' }] });
    expect(result.rows.map((row) => row[1])).toEqual(nasty);
    expect(result.rows.map((row) => row[2])).toEqual(nasty.map((text) => [...text].reverse().join('')));
    expect(result.rows[0].slice(3, 8)).toEqual([-2147483648, -9223372036854775808, -1.7976931348623157e308, false, Date.parse('0001-01-01T00:00:00Z')]);
    expect(result.rows[1].slice(3, 8)).toEqual([2147483647, 9223372036854775807, 5e-324, true, Date.parse('9999-12-31T23:59:59.999Z')]);
    expect(Object.is(result.rows[2][5], -0)).toBe(true);
    expect(copied[2][4]).toBe('9007199254740993'); // past 2^53, exact in the column
    expect(result.rows[3].slice(3, 8)).toEqual([17, -5, 0.1, false, 1_700_000_000_123]);
    expect(result.rows[4].slice(3, 8)).toEqual([null, null, 1e-7, null, null]);
    expect(result.rows.map((row) => row[8])).toEqual(records.map((r) => (r.value as { j: unknown }).j));
  });

  it('keeps the last record of a key that a COPY batch holds several times, and is idempotent', async () => {
    const table = newTable('copy_dupes');
    const sink = await started({ table, copyThreshold: 1 });
    const batch = [order('a', 1), order('b', 2), order('a', 3), order('c', 4), order('b', 5), order('a', 6)];
    await sink.write(batch);
    await sink.write(batch); // delivered again
    expect((await client.query(`SELECT id, qty FROM ${qualified(table)} ORDER BY id`)).rows).toEqual([
      { id: 'a', qty: 6 },
      { id: 'b', qty: 5 },
      { id: 'c', qty: 4 },
    ]);
  });

  it('uses INSERTs below copyThreshold rows and COPY from it on, counting rows after duplicate keys collapse', async () => {
    const table = newTable('threshold');
    const sink = await started({ table, copyThreshold: 3 });
    const statements = await logStatements(table);
    await sink.write([order('a', 1), order('b', 2)]);
    await sink.write([order('c', 1), order('d', 2), order('e', 3)]);
    await sink.write([order('f', 1), order('g', 2), order('f', 3)]); // 2 rows
    await sink.write([order('h', 1), order('i', 2), order('j', 3), order('k', 4)]);
    const logged = (await client.query(`SELECT statement FROM ${qualified(`${table}_log`)} ORDER BY n`)).rows.map((r) => String(r.statement));
    expect(logged.map((s) => (/FROM pg_temp\."sluice_copy_stage"/.test(s) ? 'copy' : / VALUES \(\$1/.test(s) ? 'insert' : s))).toEqual(['insert', 'copy', 'insert', 'copy']);
    expect(await statements()).toHaveLength(4);
    expect((await client.query(`SELECT count(*)::int AS n FROM ${qualified(table)}`)).rows).toEqual([{ n: 11 }]);
  });

  it('copies plain inserts straight into the table, and refuses a duplicate key as a non-retryable batch error', async () => {
    const table = newTable('copy_insert');
    const sink = await started({ table, mode: 'insert', copyThreshold: 2 });
    const statements = await logStatements(table);
    await sink.write([order('a', 1), order('b', 2), order('c', 3)]);
    expect((await client.query(`SELECT statement FROM ${qualified(`${table}_log`)}`)).rows.map((r) => r.statement)).toEqual([
      `COPY "${schema}"."${table}" ("id", "qty", "price", "region", "at") FROM STDIN`,
    ]);
    const error = await sink.write([order('d', 4), order('a', 5), order('e', 6)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordError);
    expect((error as RecordError).retryable).toBe(false);
    expect((error as Error).message).toMatch(/^writing 3 rows to ".*" failed \[23505\]: duplicate key value violates unique constraint/);
    expect((await client.query(`SELECT id FROM ${qualified(table)} ORDER BY id`)).rows.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(await statements()).toHaveLength(1);
  });

  it('upserts through COPY into a table with columns the sink does not write (identity key, defaults)', async () => {
    const table = newTable('copy_identity');
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(
      `CREATE TABLE ${qualified(table)} (n bigint GENERATED ALWAYS AS IDENTITY, id varchar(20) NOT NULL UNIQUE, qty integer NOT NULL, price double precision, region varchar(20), at timestamptz NOT NULL, note text NOT NULL DEFAULT 'none')`,
    );
    const sink = await started({ table, createTable: false, copyThreshold: 1 });
    await sink.write([order('a', 1), order('b', 2)]);
    await sink.write([order('b', 3)]);
    expect((await client.query(`SELECT n::int, id, qty, note FROM ${qualified(table)} ORDER BY id`)).rows).toEqual([
      { n: 1, id: 'a', qty: 1, note: 'none' },
      { n: 2, id: 'b', qty: 3, note: 'none' },
    ]);
  });

  /** What the runtime does after a non-retryable batch error: every record alone, to isolate the bad ones. */
  async function oneByOne(sink: SqlSink, batch: readonly SluiceRecord[]): Promise<string[]> {
    const failed: string[] = [];
    for (const record of batch) {
      await sink.write([record]).catch((error: unknown) => {
        expect((error as RecordError).retryable).toBe(false);
        failed.push((record.value as { id: string }).id);
      });
    }
    return failed;
  }

  it('rolls a COPY batch back entirely for one bad row, in the COPY or in the merge; one-by-one writes then store the good rows', async () => {
    const table = newTable('copy_atomic');
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    // Narrower than the sink's columns: region fails in the COPY (22001), qty in the merge (23514).
    await client.query(
      `CREATE TABLE ${qualified(table)} (id varchar(20) PRIMARY KEY, qty integer NOT NULL CHECK (qty >= 0), price double precision, region varchar(3), at timestamptz NOT NULL)`,
    );
    const sink = await started({ table, createTable: false, copyThreshold: 10 });
    await sink.write([order('before', 1)]);
    const good = Array.from({ length: 50 }, (_, i) => order(`k${i}`, i));

    for (const [bad, code] of [
      [makeRecord({ id: 'bad-region', qty: 1, where: { region: 'toolong' }, at: 0 }), '22001'],
      [makeRecord({ id: 'bad-qty', qty: -1, at: 0 }), '23514'],
    ] as const) {
      const batch = [...good.slice(0, 25), bad, ...good.slice(25), order('before', 99)];
      const error = await sink.write(batch).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RecordError);
      expect((error as RecordError).retryable).toBe(false);
      expect((error as RecordError).details).toMatchObject({ code });
      expect((await client.query(`SELECT id, qty FROM ${qualified(table)}`)).rows).toEqual([{ id: 'before', qty: 1 }]);
    }

    const batch = [...good.slice(0, 25), makeRecord({ id: 'bad-region', qty: 1, where: { region: 'toolong' }, at: 0 }), ...good.slice(25)];
    expect(await oneByOne(sink, batch)).toEqual(['bad-region']);
    expect((await client.query(`SELECT count(*)::int AS n FROM ${qualified(table)}`)).rows).toEqual([{ n: 51 }]);
    // The connection went back to the pool clean: a COPY batch works again.
    await sink.write(good.map((r, i) => order((r.value as { id: string }).id, i + 100)));
    expect((await client.query(`SELECT min(qty)::int AS q FROM ${qualified(table)} WHERE id LIKE 'k%'`)).rows).toEqual([{ q: 100 }]);
  });

  /** The sink's statements on `table` that wait for a lock, seen from pg_stat_activity. */
  async function waitingOn(table: string): Promise<number> {
    const result = await client.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND application_name LIKE 'sluice:%' AND position($1 in query) > 0`,
      [table],
    );
    return result.rows[0].n as number;
  }

  async function until(condition: () => Promise<boolean>, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it.each([
    ['INSERT', 3],
    ['COPY', 30],
  ])('cancels a %s write stuck behind a lock on the server when its signal aborts, then writes again', async (_path, size) => {
    const table = newTable('locked');
    const sink = await started({ table, copyThreshold: 10 });
    const batch = Array.from({ length: size }, (_, i) => order(`k${i}`, i));
    const locker = new pg.Client({ connectionString: DATABASE_URL });
    clients.push(locker);
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE ${qualified(table)} IN ACCESS EXCLUSIVE MODE`);

    const controller = new AbortController();
    const writing = sink.write(batch, controller.signal).then(
      () => 'stored',
      (e: unknown) => e,
    );
    await until(async () => (await waitingOn(table)) === 1);
    const abortedAt = Date.now();
    controller.abort(new Error('write timed out after 30000 ms'));
    const error = await writing;
    expect(Date.now() - abortedAt).toBeLessThan(2000);
    expect(error).toBeInstanceOf(RecordError);
    expect((error as RecordError).retryable).toBe(true);
    expect((error as Error).message).toMatch(/^writing \d+ rows to ".*" cancelled \(write timed out after 30000 ms\); the transaction was rolled back$/);
    // Nothing of the sink waits on the server any more (it would otherwise hold its place in the lock queue).
    expect(await waitingOn(table)).toBe(0);

    await locker.query('ROLLBACK');
    await sink.write(batch);
    expect((await client.query(`SELECT count(*)::int AS n FROM ${qualified(table)}`)).rows).toEqual([{ n: size }]);
  });

  it('does not start a write whose signal aborted while it queued behind another', async () => {
    const table = newTable('queued');
    const sink = await started({ table });
    const locker = new pg.Client({ connectionString: DATABASE_URL });
    clients.push(locker);
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE ${qualified(table)} IN ACCESS EXCLUSIVE MODE`);
    const first = sink.write([order('first', 1)]);
    await until(async () => (await waitingOn(table)) === 1);
    const controller = new AbortController();
    const queued = sink.write([order('queued', 2)], controller.signal).catch((e: unknown) => e);
    controller.abort(new Error('stopping'));
    await locker.query('ROLLBACK');
    await first;
    const error = await queued;
    expect(error).toBeInstanceOf(RecordError);
    expect((error as RecordError).retryable).toBe(true);
    expect((error as Error).message).toMatch(/cancelled \(stopping\)/);
    expect((await client.query(`SELECT id FROM ${qualified(table)}`)).rows).toEqual([{ id: 'first' }]);
  });
});
