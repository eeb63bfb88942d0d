// The PostgreSQL anchor of the csv-* lines: the best hand-written load of the same file with psql,
// on the same machine in the same run, in one transaction:
//
//   BEGIN;
//   SET LOCAL work_mem = '256MB';
//   CREATE TEMP TABLE orders_in (...) ON COMMIT DROP;          -- no WAL, no index
//   \copy orders_in FROM 'sales.csv' WITH (FORMAT csv, HEADER true)
//   INSERT INTO <table> (...) SELECT DISTINCT ON (order_id) ..., order_date::timestamptz, ...
//     FROM orders_in WHERE order_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' ORDER BY order_id, ctid DESC
//     ON CONFLICT (order_id) DO UPDATE SET <every other column> = excluded.<column>;
//   COMMIT;
//
// The INSERT's conflict clause is the sql sink's own (`ON CONFLICT (key) DO UPDATE SET col =
// excluded.col`). Two additions make it run on this file at all: PostgreSQL refuses an upsert that
// touches one row twice, so `DISTINCT ON` keeps the last line of each order_id (the sink keeps the
// last record of a key within a batch), and a cast of `N/A` to timestamptz would abort the load,
// so the rows whose order_date is no date are left out (the sink dead-letters them). Nothing else is
// validated. The target table has the sink's column types and a primary key on order_id.
import { spawn } from 'node:child_process';
import type { AnchorRun } from './anchor-run.js';
import { SALES_COLUMNS, type SalesCsv } from './sales-csv.js';

export const POSTGRES_ANCHOR_DESCRIPTION =
  "psql: one transaction of `\\copy` into a temporary table (text order_date), then `INSERT INTO orders SELECT DISTINCT ON (order_id) … ORDER BY order_id, ctid DESC … ON CONFLICT (order_id) DO UPDATE SET <every column> = excluded.<column>` (the sink's conflict clause), rows whose order_date is no date left out by a regular expression; work_mem 256MB; no other validation";

/** Runs psql with `script` on stdin (ON_ERROR_STOP, no psqlrc, unaligned tuples only). */
export function runPsql(url: string, script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', url], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error('psql is not installed (apt-get install postgresql-client)') : error),
    );
    child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`psql: exit ${code}: ${err.trim().slice(0, 500)}`))));
    child.stdin.end(script);
  });
}

/** The target table: the columns and types the sql sink creates for csv-load-postgres. */
export function postgresOrdersTableSql(table: string): string {
  return (
    `CREATE TABLE ${table} (order_id bigint PRIMARY KEY, customer_id bigint NOT NULL, product_id character varying NOT NULL, ` +
    'quantity integer NOT NULL, unit_price double precision NOT NULL, order_date timestamp with time zone NOT NULL, ' +
    'channel character varying NOT NULL, country character varying NOT NULL, coupon character varying)'
  );
}

const COLUMNS = SALES_COLUMNS;
const quoteText = (text: string) => `'${text.replace(/'/g, "''")}'`;

export async function runPostgresCopyAnchor(csv: SalesCsv, url: string, table: string): Promise<AnchorRun> {
  await runPsql(url, `DROP TABLE IF EXISTS ${table};\n${postgresOrdersTableSql(table)};\n`);
  await runPsql(url, 'CHECKPOINT;\n').catch(() => undefined);
  const select = COLUMNS.map((c) => (c === 'order_date' ? 'order_date::timestamptz' : c)).join(', ');
  const updates = COLUMNS.filter((c) => c !== 'order_id').map((c) => `${c} = excluded.${c}`).join(', ');
  const script = [
    'BEGIN;',
    "SET LOCAL work_mem = '256MB';",
    'CREATE TEMP TABLE orders_in (order_id bigint, customer_id bigint, product_id text, quantity integer, unit_price double precision,',
    '  order_date text, channel text, country text, coupon text) ON COMMIT DROP;',
    `\\copy orders_in FROM ${quoteText(csv.path)} WITH (FORMAT csv, HEADER true)`,
    `INSERT INTO ${table} (${COLUMNS.join(', ')})`,
    `  SELECT DISTINCT ON (order_id) ${select} FROM orders_in WHERE order_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T'`,
    '  ORDER BY order_id, ctid DESC',
    `  ON CONFLICT (order_id) DO UPDATE SET ${updates};`,
    'COMMIT;',
    '',
  ].join('\n');
  const started = performance.now();
  await runPsql(url, script);
  const seconds = (performance.now() - started) / 1000;
  const storedRows = Number((await runPsql(url, `SELECT count(*) FROM ${table};\n`)).trim());
  return { description: POSTGRES_ANCHOR_DESCRIPTION, seconds: Number(seconds.toFixed(3)), rowsPerSecond: Math.round(csv.rows / seconds), storedRows };
}
