// The command line of `npm run bench -- [prefix] [--quick] [--rows N]`.

export const DEFAULT_CSV_ROWS = 1_000_000;
export const QUICK_CSV_ROWS = 100_000;

export interface BenchArguments {
  /** Only the scenarios whose name starts with this (undefined: all). */
  readonly only?: string;
  /** Data rows of the csv-* lines' file: --rows N, else BENCH_ROWS, else 100,000 with --quick, else 1,000,000. */
  readonly csvRows: number;
}

function positiveInteger(name: string, raw: string): number {
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

export function parseBenchArguments(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchArguments {
  let only: string | undefined;
  let quick = false;
  let rows: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') quick = true;
    else if (arg === '--rows') {
      const value = argv[++i];
      if (value === undefined) throw new Error('--rows needs a number, e.g. --rows 5000000');
      rows = positiveInteger('--rows', value);
    } else if (arg.startsWith('--rows=')) rows = positiveInteger('--rows', arg.slice('--rows='.length));
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg} (known: --quick, --rows N)`);
    else if (only === undefined) only = arg;
    else throw new Error(`one scenario prefix only, got ${JSON.stringify(only)} and ${JSON.stringify(arg)}`);
  }
  const fromEnv = env.BENCH_ROWS?.trim() ? positiveInteger('BENCH_ROWS', env.BENCH_ROWS.trim()) : undefined;
  return { ...(only === undefined ? {} : { only }), csvRows: rows ?? fromEnv ?? (quick ? QUICK_CSV_ROWS : DEFAULT_CSV_ROWS) };
}
