// The goals the delivery-engine issue sets for a bench line, and whether a measured line meets them.

export interface BenchGoal {
  /** Least records (rows) per second over the window. */
  readonly recordsPerSecond?: number;
  /** Least ratio of the rate to the anchor's rate, measured in the same run. */
  readonly anchorRatio?: number;
}

/** The goal as printed next to the figures, e.g. ">= 150000 rows/s and >= 0.35x the anchor". */
export function describeGoal(goal: BenchGoal, unit: 'rows' | 'records'): string {
  const parts: string[] = [];
  if (goal.recordsPerSecond !== undefined) parts.push(`>= ${goal.recordsPerSecond} ${unit}/s`);
  if (goal.anchorRatio !== undefined) parts.push(`>= ${goal.anchorRatio}x the anchor`);
  return parts.join(' and ');
}

/** Whether the measured figures meet each part of the goal; `met` is true only when every part is. */
export function checkGoal(goal: BenchGoal, measured: { recordsPerSecond: number; anchorRatio?: number | null }): { met: boolean; rateMet?: boolean; ratioMet?: boolean | null } {
  const rateMet = goal.recordsPerSecond === undefined ? undefined : measured.recordsPerSecond >= goal.recordsPerSecond;
  const ratioMet = goal.anchorRatio === undefined ? undefined : measured.anchorRatio == null ? null : measured.anchorRatio >= goal.anchorRatio;
  return {
    met: rateMet !== false && ratioMet !== false && ratioMet !== null,
    ...(rateMet === undefined ? {} : { rateMet }),
    ...(ratioMet === undefined ? {} : { ratioMet }),
  };
}
