// The csv-* lines: a seeded sales CSV written once per run, loaded by Sluice (each scenario in a
// child process of its own) and by each database's own bulk tool (the anchor), same file, same
// machine, same run:
//
//   csv-etl-sqlite     file (csv) → validate → dedupe → map → enrich → sql (SQLite upsert)   anchor: sqlite3 .import
//   csv-load-sqlite    file (csv) → sql (SQLite upsert)                                     anchor: sqlite3 .import
//   csv-etl-postgres   the same ETL into PostgreSQL                                         anchor: psql \copy + INSERT … ON CONFLICT
//   csv-load-postgres  file (csv) → sql (PostgreSQL upsert)                                 anchor: the same
//
// After each load the bench counts the table's rows against what the file must give (`expectedRows`).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchGoal } from '../bench-goal.js';
import { runPipelineChild } from '../child/run-pipeline-child.js';
import { scenarioLine } from '../scenario-line.js';
import type { AnchorRun } from './anchor-run.js';
import { runPostgresCopyAnchor, runPsql } from './postgres-copy-anchor.js';
import { writeSalesCsv, type SalesCsv } from './sales-csv.js';
import { runSqlite3, runSqliteImportAnchor } from './sqlite-import-anchor.js';

export const CSV_SCENARIOS = ['csv-etl-sqlite', 'csv-load-sqlite', 'csv-etl-postgres', 'csv-load-postgres'] as const;
export type CsvScenario = (typeof CSV_SCENARIOS)[number];

/** The goals of the delivery-engine issue. */
export const CSV_GOALS: Readonly<Record<CsvScenario, BenchGoal>> = {
  'csv-etl-sqlite': { recordsPerSecond: 150_000, anchorRatio: 0.35 },
  'csv-etl-postgres': { recordsPerSecond: 120_000, anchorRatio: 0.35 },
  'csv-load-sqlite': { anchorRatio: 0.5 },
  'csv-load-postgres': { anchorRatio: 0.5 },
};

const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const DEFAULT_SEED = 20_260_101;

/** Does the `npm run bench -- <prefix>` filter select a csv scenario? */
export function selectsCsv(only: string | undefined): boolean {
  return !only || CSV_SCENARIOS.some((name) => name.startsWith(only));
}

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
const databaseOf = (scenario: CsvScenario) => (scenario.endsWith('-sqlite') ? 'sqlite' : 'postgres');

interface Anchor {
  readonly run: AnchorRun | null;
  readonly error?: string;
}

/**
 * Runs the selected csv scenarios on a file of `rows` rows, one line each. A database whose anchor
 * or server is missing still gets its lines (with `anchor: null` and the reason), or a `skipped`
 * line when PostgreSQL does not answer. Resolves to false when a load failed or stored a different
 * number of rows than the file gives.
 */
export async function runCsvBench(options: {
  readonly root: string;
  readonly only?: string;
  readonly rows: number;
  readonly emit: (line: Record<string, unknown>) => void;
}): Promise<boolean> {
  const scenarios = CSV_SCENARIOS.filter((name) => !options.only || name.startsWith(options.only));
  if (scenarios.length === 0) return true;
  const seed = process.env.BENCH_CSV_SEED?.trim() ? Number(process.env.BENCH_CSV_SEED) : DEFAULT_SEED;
  if (!Number.isSafeInteger(seed)) throw new Error(`BENCH_CSV_SEED must be an integer, got ${JSON.stringify(process.env.BENCH_CSV_SEED)}`);
  const pgUrl = process.env.BENCH_PG_URL?.trim() || DEFAULT_PG_URL;
  const run = `${Date.now().toString(36)}_${process.pid}`;
  const work = mkdtempSync(join(tmpdir(), 'sluice-bench-csv-'));
  let ok = true;
  try {
    const csvDir = join(work, 'csv');
    mkdirSync(csvDir);
    progress(`csv: writing ${options.rows} rows (seed ${seed})`);
    const csv = writeSalesCsv(join(csvDir, 'sales.csv'), options.rows, seed);
    progress(
      `csv: ${(csv.bytes / 1048576).toFixed(1)} MiB in ${csv.seconds} s; ${csv.duplicateRows} repeated orders, ${csv.invalidRows} invalid rows (${csv.badDateRows} without a date)`,
    );
    const anchors = new Map<'sqlite' | 'postgres', Anchor>();
    const postgresDown = scenarios.some((s) => databaseOf(s) === 'postgres') ? await postgresProblem(pgUrl) : undefined;
    for (const scenario of scenarios) {
      const database = databaseOf(scenario);
      if (database === 'postgres' && postgresDown !== undefined) {
        options.emit({ scenario, skipped: `PostgreSQL does not answer at ${redactUrl(pgUrl)}: ${postgresDown}` });
        continue;
      }
      let anchor = anchors.get(database);
      if (!anchor) {
        progress(`csv: ${database} anchor`);
        anchor = await measureAnchor(database, csv, work, pgUrl, `bench_csv_anchor_${run}`);
        anchors.set(database, anchor);
        if (anchor.run) progress(`csv: ${database} anchor ${anchor.run.rowsPerSecond} rows/s (${anchor.run.seconds} s)`);
        else progress(`csv: ${database} anchor failed: ${anchor.error}`);
      }
      progress(`${scenario}: ${csv.rows} rows`);
      try {
        const line = await runScenario(options.root, scenario, csv, anchor, pgUrl, `bench_${scenario.replace(/-/g, '_')}_${run}`);
        if (line.rowsCheck !== 'ok') ok = false;
        options.emit(line);
      } catch (error) {
        ok = false;
        options.emit({ scenario, error: errorText(error) });
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return ok;
}

async function measureAnchor(database: 'sqlite' | 'postgres', csv: SalesCsv, work: string, pgUrl: string, table: string): Promise<Anchor> {
  try {
    if (database === 'sqlite') {
      const dir = mkdtempSync(join(work, 'anchor-'));
      try {
        return { run: await runSqliteImportAnchor(csv, join(dir, 'anchor.db')) };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    try {
      return { run: await runPostgresCopyAnchor(csv, pgUrl, table) };
    } finally {
      await runPsql(pgUrl, `DROP TABLE IF EXISTS ${table};\n`).catch(() => undefined);
    }
  } catch (error) {
    return { run: null, error: errorText(error) };
  }
}

async function runScenario(root: string, scenario: CsvScenario, csv: SalesCsv, anchor: Anchor, pgUrl: string, table: string): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-bench-data-'));
  const postgres = databaseOf(scenario) === 'postgres';
  try {
    if (postgres) {
      await runPsql(pgUrl, `DROP TABLE IF EXISTS ${table};\n`);
      await runPsql(pgUrl, 'CHECKPOINT;\n').catch(() => undefined);
    }
    const load = Number(loadavg()[0]!.toFixed(2));
    const childRun = await runPipelineChild(join(root, 'bench', 'csv', `${scenario}.yaml`), {
      BENCH_CSV_DIR: join(csv.path, '..'),
      BENCH_DATA_DIR: dataDir,
      BENCH_TABLE: table,
      BENCH_PG_URL: pgUrl,
    });
    const storedRows = postgres
      ? Number((await runPsql(pgUrl, `SELECT count(*) FROM ${table};\n`)).trim())
      : Number((await runSqlite3(join(dataDir, 'sales.db'), `SELECT count(*) FROM ${table};\n`)).trim());
    const expectedRows = scenario.startsWith('csv-etl-') ? csv.validOrders : csv.datedOrders;
    return scenarioLine({
      scenario,
      run: childRun,
      inputRecords: csv.rows,
      unit: 'rows',
      goal: CSV_GOALS[scenario],
      anchor: anchor.run,
      ...(anchor.error === undefined ? {} : { anchorError: anchor.error }),
      extra: {
        storedRows,
        expectedRows,
        rowsCheck: storedRows === expectedRows ? 'ok' : `the table holds ${storedRows} rows, the file gives ${expectedRows}`,
        file: { mb: Number((csv.bytes / 1048576).toFixed(1)), seed: csv.seed, repeatedOrders: csv.duplicateRows, invalidRows: csv.invalidRows, badDateRows: csv.badDateRows },
        loadAvg1m: load,
      },
    });
  } finally {
    if (postgres) await runPsql(pgUrl, `DROP TABLE IF EXISTS ${table};\n`).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function postgresProblem(url: string): Promise<string | undefined> {
  try {
    await runPsql(url, 'SELECT 1;\n');
    return undefined;
  } catch (error) {
    return errorText(error);
  }
}

const redactUrl = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
