// What a bench child (pipeline-child.ts) reports to its parent on file descriptor 3, as one JSON text.

/** Counters of one stage at the end of the run. */
export interface ChildStageCounters {
  readonly stage: string;
  readonly plugin: string;
  readonly in: number;
  readonly acked: number;
  readonly dropped: number;
  readonly deadLettered: number;
  readonly retried: number;
}

export interface PipelineChildReport {
  /** Records the sink stored (its `acked` counter) over the whole run. */
  readonly stored: number;
  /** Records the source read (its `out` counter). */
  readonly read: number;
  /** Dead-lettered records, all stages together. */
  readonly deadLettered: number;
  /** Records transforms filtered out (dedupe's duplicates), all stages together. */
  readonly dropped: number;
  /** Seconds from the child's process start to the first poll that saw a stored record. */
  readonly startupSeconds: number;
  /** Seconds from the first poll that saw a stored record to the first poll that saw the last one. */
  readonly windowSeconds: number;
  /** Records already stored at the first poll of the window (not counted in `windowStored`). */
  readonly storedAtWindowStart: number;
  /** Seconds from the last stored record to the report (source commit, drain, close). */
  readonly shutdownSeconds: number;
  /** `maxRSS` of `process.resourceUsage()` at the end, in MiB: the peak resident set of the child. */
  readonly peakRssMb: number;
  /** Read → acknowledged percentiles of the pipeline status (last 8192 records). */
  readonly p50LatencyMs: number | null;
  readonly p99LatencyMs: number | null;
  readonly stages: readonly ChildStageCounters[];
}

/** Parses the child's report, naming what is missing. */
export function parsePipelineChildReport(text: string): PipelineChildReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`the bench child's report is not JSON: ${JSON.stringify(text.slice(0, 200))}`);
  }
  const report = parsed as Partial<PipelineChildReport> | null;
  for (const field of ['stored', 'read', 'startupSeconds', 'windowSeconds', 'peakRssMb'] as const) {
    if (typeof report?.[field] !== 'number') throw new Error(`the bench child's report has no number "${field}": ${text.slice(0, 200)}`);
  }
  return report as PipelineChildReport;
}
