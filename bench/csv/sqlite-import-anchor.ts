// The SQLite anchor of the csv-* lines: the sqlite3 command-line shell's `.import` of the same file
// into a table keyed by order_id, on the same machine in the same run.
//
// The table has the physical shape of the one the sql sink creates (a rowid table with a unique
// index on order_id: the sink declares `order_id bigint PRIMARY KEY`, which SQLite does not make a
// rowid alias), and its primary key says `ON CONFLICT REPLACE`, so the shell's plain INSERT of each
// row is an INSERT OR REPLACE: a repeated order_id replaces the stored row, as the sink's upsert
// does. Column affinities follow the sink's types, except order_date, which the shell stores as the
// file's text (the sink converts it to epoch ms). The shell parses the CSV itself, validates nothing
// and wraps the whole import in one transaction; journal_mode WAL and synchronous NORMAL as the
// sink's `synchronous: normal`.
import { spawn } from 'node:child_process';
import type { AnchorRun } from './anchor-run.js';
import type { SalesCsv } from './sales-csv.js';

export const SQLITE_ANCHOR_DESCRIPTION =
  'sqlite3 shell `.import --csv --skip 1` into a table with `order_id bigint PRIMARY KEY ON CONFLICT REPLACE` (every row an INSERT OR REPLACE), ' +
  'typed columns, order_date kept as text, journal_mode WAL, synchronous NORMAL, one transaction; no validation, no dedupe';

/** Runs sqlite3 with `script` on stdin; resolves to its stdout, fails with its stderr. */
export function runSqlite3(database: string, script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('sqlite3', ['-batch', '-bail', database], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error('the sqlite3 command-line shell is not installed (apt-get install sqlite3)') : error),
    );
    child.once('close', (code) => (code === 0 && err.trim() === '' ? resolve(out) : reject(new Error(`sqlite3 ${database}: exit ${code}: ${err.trim().slice(0, 500)}`))));
    child.stdin.end(script);
  });
}

const quoteText = (text: string) => `'${text.replace(/'/g, "''")}'`;

export async function runSqliteImportAnchor(csv: SalesCsv, database: string): Promise<AnchorRun> {
  await runSqlite3(
    database,
    [
      'PRAGMA journal_mode=WAL;',
      'CREATE TABLE orders (order_id bigint NOT NULL PRIMARY KEY ON CONFLICT REPLACE, customer_id bigint NOT NULL, product_id varchar NOT NULL,',
      '  quantity integer NOT NULL, unit_price double NOT NULL, order_date text, channel varchar NOT NULL, country varchar NOT NULL, coupon varchar);',
      '',
    ].join('\n'),
  );
  // synchronous is a per-connection setting: it goes with the import.
  const started = performance.now();
  await runSqlite3(database, `PRAGMA synchronous=NORMAL;\n.import --csv --skip 1 ${quoteText(csv.path)} orders\n`);
  const seconds = (performance.now() - started) / 1000;
  const storedRows = Number((await runSqlite3(database, 'SELECT count(*) FROM orders;\n')).trim());
  return { description: SQLITE_ANCHOR_DESCRIPTION, seconds: Number(seconds.toFixed(3)), rowsPerSecond: Math.round(csv.rows / seconds), storedRows };
}
