import { deleteBenchTopicsAndGroups, type BrokerLeftovers } from './broker-cleanup.js';
import { LATENCY_RATE, readKafkaBenchSettings, type KafkaBenchSettings } from './kafka-bench-settings.js';
import { runKafkaConnectFilePipeline } from './kafka-connect-file-pipeline.js';
import { runKafkaPerfTools } from './kafka-perf-tools.js';
import { ServicesHarness } from './services-harness.js';
import { runSluiceKafkaPassthrough } from './sluice-kafka-passthrough.js';

/** The lines the comparison prints, in order; `npm run bench -- <prefix>` selects by prefix. */
export const KAFKA_SCENARIOS = ['kafka-sluice', 'kafka-latency', 'kafka-producer-perf', 'kafka-consumer-perf', 'kafka-connect', 'kafka-ratios'] as const;

/** The goals of issue 3: Sluice ≥ 2× Kafka Connect, ≥ 0.5× what Kafka's own perf tools reach. */
export const GOALS = { sluiceVsConnect: 2, sluiceVsPerfTools: 0.5 } as const;

/** Issue 9's latency goal: read → stored p99 at a steady 1,000 records/s over Kafka. */
export const LATENCY_P99_GOAL_MS = 50;

export interface KafkaComparisonOptions {
  /** Repository root (services/services.sh). */
  readonly root: string;
  /** Folder of sluice-kafka-passthrough.yaml (bench/kafka in the source tree). */
  readonly scenarioDir: string;
  /** Only scenarios whose name starts with this. */
  readonly only?: string;
  readonly emit: (line: Record<string, unknown>) => void;
}

/** Does the `npm run bench -- <prefix>` filter select any Kafka scenario? */
export function selectsKafka(only: string | undefined): boolean {
  return !only || KAFKA_SCENARIOS.some((name) => name.startsWith(only));
}

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
const ratio = (a: number, b: number) => Number((a / b).toFixed(2));

/**
 * Sluice's Kafka pass-through against Kafka Connect and Kafka's perf tools on the same local broker,
 * with the same record count and size. Starts Kafka (services.sh up kafka) when nothing answers at
 * KAFKA_BROKERS and stops it afterwards only then; deletes the topics and groups it created.
 * A contender that fails prints `{ scenario, error }` and the others still run. Resolves to false
 * when anything failed.
 */
export async function runKafkaComparison(options: KafkaComparisonOptions): Promise<boolean> {
  const wants = (name: string) => !options.only || name.startsWith(options.only);
  const settings = readKafkaBenchSettings();
  const harness = new ServicesHarness(options.root);
  let ok = true;
  let startedKafka = false;
  if (!(await harness.kafkaAnswers())) {
    progress(`no Kafka answers at ${settings.brokers}: services.sh up kafka`);
    try {
      startedKafka = (await harness.upKafka()) === 'started';
    } catch (error) {
      options.emit({ scenario: 'kafka', error: errorText(error) });
      return false;
    }
  }
  const brokerPid = harness.pidOf('kafka');
  const leftovers: BrokerLeftovers = { topics: [], groups: [] };
  const rates: { sluice?: number; connect?: number; producer?: number; consumer?: number } = {};
  const attempt = async (scenario: string, body: () => Promise<void>) => {
    progress(`${scenario}: ${settings.count} records of ${settings.size} B (run ${settings.run})`);
    const started = performance.now();
    try {
      await body();
    } catch (error) {
      ok = false;
      options.emit({ scenario, error: errorText(error) });
    }
    progress(`${scenario}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  };
  try {
    if (wants('kafka-sluice')) {
      await attempt('kafka-sluice', async () => {
        const result = await runSluiceKafkaPassthrough(settings, options.scenarioDir, brokerPid, leftovers);
        rates.sluice = result.recordsPerSecond;
        options.emit(result.line);
      });
    }
    if (wants('kafka-latency')) {
      // The same pipeline, paced: what a record waits from read to stored when nothing queues.
      const paced: KafkaBenchSettings = { ...settings, count: settings.latencyCount, rate: LATENCY_RATE, run: `${settings.run}l` };
      await attempt('kafka-latency', async () => {
        const { line } = await runSluiceKafkaPassthrough(paced, options.scenarioDir, brokerPid, leftovers, 'kafka-latency');
        const p99 = line.p99LatencyMs as number | null;
        options.emit({ ...line, goal: `p99 <= ${LATENCY_P99_GOAL_MS} ms at ${LATENCY_RATE} records/s`, goalMet: p99 !== null && p99 <= LATENCY_P99_GOAL_MS });
      });
    }
    if (wants('kafka-producer-perf') || wants('kafka-consumer-perf')) {
      await attempt('kafka-perf-tools', async () => {
        const result = await runKafkaPerfTools(settings, harness, brokerPid, leftovers);
        rates.producer = result.producerRecordsPerSecond;
        rates.consumer = result.consumerRecordsPerSecond;
        options.emit(result.producerLine);
        options.emit(result.consumerLine);
      });
    }
    if (wants('kafka-connect')) {
      await attempt('kafka-connect', async () => {
        const result = await runKafkaConnectFilePipeline(settings, harness, brokerPid, leftovers);
        rates.connect = result.recordsPerSecond;
        options.emit(result.line);
      });
    }
    if (rates.sluice !== undefined && rates.connect !== undefined && rates.producer !== undefined && rates.consumer !== undefined) {
      options.emit(ratiosLine(settings, rates as Required<typeof rates>));
    }
  } finally {
    await deleteBenchTopicsAndGroups(settings.brokers, leftovers.topics, leftovers.groups).catch((error: unknown) => {
      progress(`could not delete what the bench created on the broker: ${errorText(error)}`);
    });
    if (startedKafka) {
      progress('stopping the Kafka this bench started');
      await harness.down('kafka');
    }
  }
  return ok;
}

function ratiosLine(settings: KafkaBenchSettings, rates: { sluice: number; connect: number; producer: number; consumer: number }): Record<string, unknown> {
  const vsConnect = ratio(rates.sluice, rates.connect);
  const vsProducer = ratio(rates.sluice, rates.producer);
  const vsConsumer = ratio(rates.sluice, rates.consumer);
  return {
    scenario: 'kafka-ratios',
    records: settings.count,
    recordBytes: settings.size,
    ...(settings.rate > 0 ? { sluicePacedAt: settings.rate } : {}),
    sluiceVsConnect: vsConnect,
    sluiceVsProducerPerf: vsProducer,
    sluiceVsConsumerPerf: vsConsumer,
    goals: { sluiceVsConnect: GOALS.sluiceVsConnect, sluiceVsPerfTools: GOALS.sluiceVsPerfTools },
    goalsMet: {
      sluiceVsConnect: vsConnect >= GOALS.sluiceVsConnect,
      sluiceVsProducerPerf: vsProducer >= GOALS.sluiceVsPerfTools,
      sluiceVsConsumerPerf: vsConsumer >= GOALS.sluiceVsPerfTools,
    },
  };
}
