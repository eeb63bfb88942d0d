/** The most recent latency samples (ms) of something, for percentiles in `/api/pipelines`. */
export class LatencySamples {
  private readonly samples: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(capacity = 2048) {
    this.samples = new Float64Array(capacity);
  }

  record(ms: number): void {
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.samples.length;
    if (this.filled < this.samples.length) this.filled++;
  }

  /** The p-th percentile (0..100) of the kept samples, or null when there are none. */
  percentile(p: number): number | null {
    if (this.filled === 0) return null;
    const sorted = Array.from(this.samples.subarray(0, this.filled)).sort((a, b) => a - b);
    const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[index];
  }
}
