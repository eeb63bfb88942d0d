/** The final summary line of Kafka's ProducerPerformance. */
export interface ProducerPerfSummary {
  readonly records: number;
  readonly recordsPerSecond: number;
  /** MiB/s of record values (the tool's "MB"). */
  readonly mbPerSecond: number;
  readonly avgLatencyMs: number;
  readonly maxLatencyMs: number;
  readonly p50LatencyMs: number;
  readonly p95LatencyMs: number;
  readonly p99LatencyMs: number;
  readonly p999LatencyMs: number;
}

/** The result line of Kafka's ConsumerPerformance. */
export interface ConsumerPerfSummary {
  readonly records: number;
  readonly mb: number;
  /** Over the whole run, group join included. */
  readonly recordsPerSecond: number;
  readonly mbPerSecond: number;
  /** Group join / partition assignment time, ms. */
  readonly rebalanceMs: number;
  /** Fetching time, ms (the run without the group join). */
  readonly fetchMs: number;
  readonly fetchRecordsPerSecond: number;
  readonly fetchMbPerSecond: number;
}

// "1000000 records sent, 245278.4 records/sec (46.78 MB/sec), 512.34 ms avg latency, 1024.00 ms max
// latency, 480 ms 50th, 900 ms 95th, 1000 ms 99th, 1020 ms 99.9th." (the progress lines every 5 s
// have no percentiles).
const PRODUCER_SUMMARY =
  /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th/g;

export function parseProducerSummary(output: string): ProducerPerfSummary {
  const match = [...output.matchAll(PRODUCER_SUMMARY)].at(-1);
  if (!match) throw new Error(`ProducerPerformance: no summary line ("N records sent, … ms 99.9th") in its output:\n${output.slice(-2000)}`);
  const n = match.slice(1).map(Number);
  return {
    records: n[0],
    recordsPerSecond: n[1],
    mbPerSecond: n[2],
    avgLatencyMs: n[3],
    maxLatencyMs: n[4],
    p50LatencyMs: n[5],
    p95LatencyMs: n[6],
    p99LatencyMs: n[7],
    p999LatencyMs: n[8],
  };
}

const CONSUMER_COLUMNS = {
  mb: 'data.consumed.in.MB',
  mbPerSecond: 'MB.sec',
  records: 'data.consumed.in.nMsg',
  recordsPerSecond: 'nMsg.sec',
  rebalanceMs: 'rebalance.time.ms',
  fetchMs: 'fetch.time.ms',
  fetchMbPerSecond: 'fetch.MB.sec',
  fetchRecordsPerSecond: 'fetch.nMsg.sec',
} as const;

/** Reads the header line "start.time, end.time, data.consumed.in.MB, …" and the values line after it. */
export function parseConsumerSummary(output: string): ConsumerPerfSummary {
  const lines = output.split('\n').map((l) => l.trim());
  const headerIndex = lines.findLastIndex((l) => l.startsWith('start.time,'));
  const values = lines.slice(headerIndex + 1).find((l) => l !== '');
  if (headerIndex === -1 || values === undefined) {
    throw new Error(`ConsumerPerformance: no result ("start.time, end.time, …" and a values line) in its output:\n${output.slice(-2000)}`);
  }
  const header = lines[headerIndex].split(',').map((c) => c.trim());
  const cells = values.split(',').map((c) => c.trim());
  const column = (name: string): number => {
    const index = header.indexOf(name);
    const value = Number(cells[index]);
    if (index === -1 || !Number.isFinite(value)) throw new Error(`ConsumerPerformance: column ${name} missing or not a number in:\n${lines[headerIndex]}\n${values}`);
    return value;
  };
  const summary = {} as Record<keyof ConsumerPerfSummary, number>;
  for (const [key, name] of Object.entries(CONSUMER_COLUMNS)) summary[key as keyof ConsumerPerfSummary] = column(name);
  return summary;
}
