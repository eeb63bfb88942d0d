import { randomBytes } from 'node:crypto';

/** What the Kafka comparison runs with: the same record count and size for all three contenders. */
export interface KafkaBenchSettings {
  /** Records each contender moves (BENCH_KAFKA_COUNT). */
  readonly count: number;
  /** Bytes of each record's value on the topic (BENCH_KAFKA_SIZE). */
  readonly size: number;
  /** Sluice only: generator records/s, 0 = as fast as the pipeline takes them (BENCH_KAFKA_RATE). */
  readonly rate: number;
  /** Records of the latency line, paced at {@link LATENCY_RATE} records/s (BENCH_KAFKA_LATENCY_COUNT). */
  readonly latencyCount: number;
  /** Longest wait for one contender to deliver every record, ms (BENCH_KAFKA_TIMEOUT_S). */
  readonly timeoutMs: number;
  /** Bootstrap brokers, as services.sh computes them (KAFKA_BROKERS, else 127.0.0.1:$KAFKA_PORT). */
  readonly brokers: string;
  /** Unique per run: topic, group and pipeline names carry it, so runs never see each other's data. */
  readonly run: string;
}

export const DEFAULT_KAFKA_COUNT = 1_000_000;
/** The latency line: records (BENCH_KAFKA_LATENCY_COUNT) at a steady 1,000 records/s. */
export const DEFAULT_LATENCY_COUNT = 30_000;
export const LATENCY_RATE = 1000;
export const DEFAULT_KAFKA_SIZE = 200;
/** Smallest value size: room for the generator's `{"id":…,"ts":…,"payload":""}` and Connect's marker line. */
export const MIN_KAFKA_SIZE = 80;

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`${name}=${JSON.stringify(raw)}: expected a whole number from ${min} to ${max}`);
  }
  return value;
}

/** Reads the settings from the environment; a malformed variable is an error naming it. */
export function readKafkaBenchSettings(env: NodeJS.ProcessEnv = process.env): KafkaBenchSettings {
  const count = integer(env, 'BENCH_KAFKA_COUNT', DEFAULT_KAFKA_COUNT, 1, 100_000_000);
  const size = integer(env, 'BENCH_KAFKA_SIZE', DEFAULT_KAFKA_SIZE, MIN_KAFKA_SIZE, 1_000_000);
  const rate = integer(env, 'BENCH_KAFKA_RATE', 0, 0, 100_000_000);
  const latencyCount = integer(env, 'BENCH_KAFKA_LATENCY_COUNT', DEFAULT_LATENCY_COUNT, 1000, 100_000_000);
  const timeoutMs = integer(env, 'BENCH_KAFKA_TIMEOUT_S', 300, 10, 86_400) * 1000;
  const brokers = env.KAFKA_BROKERS?.trim() || `127.0.0.1:${env.KAFKA_PORT?.trim() || '9092'}`;
  const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  return { count, size, rate, latencyCount, timeoutMs, brokers, run };
}
