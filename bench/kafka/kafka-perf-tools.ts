import { loadavg } from 'node:os';
import { listGroupIds, type BrokerLeftovers } from './broker-cleanup.js';
import { CpuWindow } from './cpu-window.js';
import type { KafkaBenchSettings } from './kafka-bench-settings.js';
import { parseConsumerSummary, parseProducerSummary } from './perf-tool-output.js';
import type { ServicesHarness } from './services-harness.js';

export interface PerfToolsResult {
  readonly producerLine: Record<string, unknown>;
  readonly consumerLine: Record<string, unknown>;
  readonly producerRecordsPerSecond: number;
  /** The consumer's fetch rate (group join left out, as Sluice's measurement leaves it out). */
  readonly consumerRecordsPerSecond: number;
}

/**
 * Kafka's own clients at full speed on a fresh topic, through `services.sh perf N SIZE TOPIC`:
 * TopicCommand (1 partition), ProducerPerformance (acks=1, linger.ms=5, no throttle), then
 * ConsumerPerformance reading the N records back. What the broker can take on this machine.
 * The CPU figures cover the whole `services.sh perf` call (three JVM starts included).
 */
export async function runKafkaPerfTools(
  settings: KafkaBenchSettings,
  harness: ServicesHarness,
  brokerPid: number | null,
  leftovers: BrokerLeftovers,
): Promise<PerfToolsResult> {
  const topic = `bench-perf-${settings.run}`;
  leftovers.topics.push(topic);
  const loadAvg1m = Number(loadavg()[0].toFixed(2));
  // ConsumerPerformance joins a group named perf-consumer-<random>: the new one is this run's.
  const groupsBefore = await listGroupIds(settings.brokers);
  // Over the whole call (three JVM starts, producing, consuming): the tools' own rates are more precise.
  const cpu = new CpuWindow({ broker: brokerPid });
  let stdout: string;
  try {
    ({ stdout } = await harness.run(['perf', String(settings.count), String(settings.size), topic], settings.timeoutMs * 2));
  } finally {
    const groupsAfter = await listGroupIds(settings.brokers).catch(() => new Set<string>());
    for (const group of groupsAfter) if (group.startsWith('perf-consumer-') && !groupsBefore.has(group)) leftovers.groups.push(group);
  }
  const cpuPercent = cpu.stop();
  const cpuFields = { toolsCpuPercent: cpuPercent.tools, brokerCpuPercent: cpuPercent.broker, otherCpuPercent: cpuPercent.others };
  const producer = parseProducerSummary(stdout);
  const consumer = parseConsumerSummary(stdout);
  if (producer.records !== settings.count || consumer.records < settings.count) {
    throw new Error(`services.sh perf: the producer sent ${producer.records} and the consumer read ${consumer.records} of ${settings.count} records`);
  }
  return {
    producerRecordsPerSecond: Math.round(producer.recordsPerSecond),
    consumerRecordsPerSecond: Math.round(consumer.fetchRecordsPerSecond),
    producerLine: {
      scenario: 'kafka-producer-perf',
      records: producer.records,
      recordBytes: settings.size,
      recordsPerSecond: Math.round(producer.recordsPerSecond),
      mbPerSecond: producer.mbPerSecond,
      p50LatencyMs: producer.p50LatencyMs,
      p99LatencyMs: producer.p99LatencyMs,
      maxLatencyMs: producer.maxLatencyMs,
      avgLatencyMs: producer.avgLatencyMs,
      ...cpuFields,
      loadAvg1m,
    },
    consumerLine: {
      scenario: 'kafka-consumer-perf',
      records: consumer.records,
      recordBytes: settings.size,
      recordsPerSecond: Math.round(consumer.fetchRecordsPerSecond),
      mbPerSecond: Number(consumer.fetchMbPerSecond.toFixed(2)),
      seconds: Number((consumer.fetchMs / 1000).toFixed(3)),
      withGroupJoinRecordsPerSecond: Math.round(consumer.recordsPerSecond),
      groupJoinMs: consumer.rebalanceMs,
      ...cpuFields,
      loadAvg1m,
    },
  };
}
