/**
 * When the lines of an output file appeared, as seen by polling it: after poll k (at `at[k]`, epoch
 * ms) the file held `lines[k]` lines past the watched offset. Both arrays only hold polls where the
 * count changed, so `lines` is strictly increasing.
 */
export interface TimelineSamples {
  readonly at: readonly number[];
  readonly lines: readonly number[];
}

/**
 * Answers "when was line i (0-based, counted from the watched offset) first seen?", i.e. the time of
 * the first poll whose count exceeded i: an upper bound, at most one poll interval after the line was
 * written; null for a line past the end of the watch. Queries must come in increasing line order (one forward cursor, O(lines + polls) in all).
 */
export class OutputTimeline {
  private cursor = 0;

  constructor(readonly samples: TimelineSamples) {}

  seenAt(line: number): number | null {
    const { at, lines } = this.samples;
    while (this.cursor < lines.length && lines[this.cursor] <= line) this.cursor++;
    // Past the watched count (the watch ended before this line was written).
    return this.cursor === lines.length ? null : at[this.cursor];
  }

  /** Time the first line was seen. */
  get firstSeenAt(): number | null {
    return this.samples.at[0] ?? null;
  }

  /** Time the last watched line was seen. */
  get lastSeenAt(): number | null {
    return this.samples.at.at(-1) ?? null;
  }
}
