// The JSON line of a bench scenario that ran in a child process (bench/child/): the rate over the
// window from the first record stored to the last, start-up and shutdown apart, the anchor measured
// in the same run and the ratio to it, the child's peak RSS, and the goal with whether it is met.
import { checkGoal, describeGoal, type BenchGoal } from './bench-goal.js';
import type { PipelineChildRun } from './child/run-pipeline-child.js';
import type { AnchorRun } from './csv/anchor-run.js';

const ratio = (value: number) => Number(value.toFixed(3));

export function scenarioLine(options: {
  readonly scenario: string;
  readonly run: PipelineChildRun;
  /** The input size the rate is counted in: file rows, or generated records. */
  readonly inputRecords: number;
  readonly unit: 'rows' | 'records';
  readonly goal: BenchGoal;
  /** The anchor of this line, null when it could not run (with `anchorError`), undefined when the line has none. */
  readonly anchor?: AnchorRun | null;
  readonly anchorError?: string;
  readonly extra?: Record<string, unknown>;
}): Record<string, unknown> {
  const { run, anchor } = options;
  const window = run.windowSeconds;
  const rate = window > 0 ? Math.round(options.inputRecords / window) : 0;
  const anchorRatio = anchor ? ratio(rate / anchor.rowsPerSecond) : anchor === null ? null : undefined;
  const wallRate = Math.round(options.inputRecords / run.processSeconds);
  const goal = checkGoal(options.goal, { recordsPerSecond: rate, anchorRatio });
  return {
    scenario: options.scenario,
    [options.unit]: options.inputRecords,
    // Rate over the window: input records ÷ (last stored − first stored).
    [`${options.unit}PerSecond`]: rate,
    ...(anchorRatio === undefined ? {} : { anchorRatio }),
    goal: describeGoal(options.goal, options.unit),
    goalMet: goal.met,
    ...(goal.rateMet === undefined ? {} : { rateGoalMet: goal.rateMet }),
    ...(goal.ratioMet === undefined ? {} : { ratioGoalMet: goal.ratioMet }),
    peakRssMb: run.peakRssMb,
    windowSeconds: window,
    startupSeconds: run.startupSeconds,
    shutdownSeconds: run.shutdownSeconds,
    processSeconds: run.processSeconds,
    // The same input over the child's whole life (start-up and shutdown included).
    [`wall${options.unit === 'rows' ? 'Rows' : 'Records'}PerSecond`]: wallRate,
    ...(anchor ? { wallAnchorRatio: ratio(wallRate / anchor.rowsPerSecond) } : {}),
    stored: run.stored,
    // Stored records ÷ window, not counting those already stored when the window opened.
    storedPerSecond: window > 0 ? Math.round((run.stored - run.storedAtWindowStart) / window) : 0,
    dropped: run.dropped,
    deadLettered: run.deadLettered,
    p50LatencyMs: run.p50LatencyMs,
    p99LatencyMs: run.p99LatencyMs,
    ...(anchor === undefined
      ? {}
      : anchor === null
        ? { anchor: null, anchorError: options.anchorError }
        : { anchor: { rowsPerSecond: anchor.rowsPerSecond, seconds: anchor.seconds, storedRows: anchor.storedRows, what: anchor.description } }),
    ...options.extra,
    ...(run.cpuProfileDir ? { cpuProfileDir: run.cpuProfileDir } : {}),
  };
}
