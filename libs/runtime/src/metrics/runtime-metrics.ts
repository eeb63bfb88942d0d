import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { StageCounters, StageMonitor } from '../pipeline/stage-monitor.js';

const COUNTERS: ReadonlyArray<[keyof StageCounters, string, string]> = [
  ['in', 'sluice_stage_records_in_total', 'Records received by the stage.'],
  ['out', 'sluice_stage_records_out_total', 'Records the stage passed on (published or stored).'],
  ['acked', 'sluice_stage_records_acked_total', 'Records the stage fully handled and acknowledged upstream.'],
  ['dropped', 'sluice_stage_records_dropped_total', 'Records a transform filtered out.'],
  ['retried', 'sluice_stage_records_retried_total', 'Record attempts that were retried.'],
  ['deadLettered', 'sluice_stage_records_dead_lettered_total', 'Records sent to the dead-letter destination.'],
  ['restarts', 'sluice_stage_restarts_total', 'Times the stage was restarted after a failure.'],
];

const STATES = ['starting', 'running', 'restarting', 'degraded', 'stopping', 'stopped', 'finished', 'standby'] as const;

/**
 * Prometheus metrics of the runtime. Stage counters are read from the stage monitors at scrape time
 * (one source of truth for `/metrics` and `/api/pipelines`); latencies are observed as they happen.
 */
export class RuntimeMetrics {
  readonly registry = new Registry();
  private readonly monitors = new Set<StageMonitor>();
  private readonly recordLatency: Histogram<'pipeline'>;
  private readonly inFlightByPipeline = new Map<string, () => number>();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'sluice_process_' });
    const monitors = this.monitors;
    for (const [field, name, help] of COUNTERS) {
      new Counter({
        name,
        help,
        labelNames: ['pipeline', 'stage', 'plugin'],
        registers: [this.registry],
        collect() {
          this.reset();
          for (const m of monitors) this.inc({ pipeline: m.pipeline, stage: m.stage, plugin: m.plugin }, m.counters[field]);
        },
      });
    }
    new Gauge({
      name: 'sluice_stage_state',
      help: 'Current state of each stage (1 for the state it is in).',
      labelNames: ['pipeline', 'stage', 'plugin', 'state'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const m of monitors) for (const state of STATES) this.set({ pipeline: m.pipeline, stage: m.stage, plugin: m.plugin, state }, m.state === state ? 1 : 0);
      },
    });
    new Gauge({
      name: 'sluice_stage_batch_latency_p99_ms',
      help: 'p99 of the time a stage took per batch, over its recent batches (ms).',
      labelNames: ['pipeline', 'stage', 'plugin'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const m of monitors) {
          const p99 = m.batchLatency.percentile(99);
          if (p99 !== null) this.set({ pipeline: m.pipeline, stage: m.stage, plugin: m.plugin }, p99);
        }
      },
    });
    const inFlight = this.inFlightByPipeline;
    new Gauge({
      name: 'sluice_pipeline_records_in_flight',
      help: 'Records read from the source and not yet acknowledged.',
      labelNames: ['pipeline'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [pipeline, read] of inFlight) this.set({ pipeline }, read());
      },
    });
    this.recordLatency = new Histogram({
      name: 'sluice_record_latency_seconds',
      help: 'Time from a record being read to its acknowledgement by the sink (or dead-lettering).',
      labelNames: ['pipeline'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
  }

  watch(monitor: StageMonitor): void {
    this.monitors.add(monitor);
  }

  unwatch(monitor: StageMonitor): void {
    this.monitors.delete(monitor);
  }

  watchInFlight(pipeline: string, read: () => number): void {
    this.inFlightByPipeline.set(pipeline, read);
  }

  observeRecordLatency(pipeline: string, ms: number): void {
    this.recordLatency.observe({ pipeline }, ms / 1000);
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }
}
