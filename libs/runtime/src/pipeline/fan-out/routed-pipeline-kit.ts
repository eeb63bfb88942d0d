import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SluiceRecord } from '@sluice/sdk';
import { createEmbeddedTransport, type ChannelTransport } from '#transports';
import type { DeadLetterValue } from '../dead-letter-queue.js';
import { Pipeline } from '../pipeline.js';
import type { StageSnapshot } from '../stage-monitor.js';
import { countingSource, environment, memorySink, pipelineConfig, sinkControl, type CountingSourceControl, type MemorySinkControl } from '../../testing/memory-plugins.js';
import { FAN_OUT_STAGE, type FanOutSnapshot } from './fan-out-monitor.js';

/** What the specs of pipelines with routes share: a routed test pipeline and readers of its outcome. */

export const seq = (record: SluiceRecord) => (record.value as { seq: number }).seq;
/** The sequence numbers of `records`, sorted (equal to a range: each record exactly once). */
export const seqs = (records: readonly SluiceRecord[]) => records.map(seq).sort((a, b) => a - b);
/** The sequence numbers a transform saw, sorted. */
export const seenSeqs = (seen: readonly unknown[]) => seen.map((value) => (value as { seq: number }).seq).sort((a, b) => a - b);
export const range = (n: number, keep: (i: number) => boolean = () => true) => Array.from({ length: n }, (_, i) => i).filter(keep);

export const letters = (dlq: MemorySinkControl) => dlq.stored.map((record) => record.value as DeadLetterValue);
/** The sequence numbers of the dead-lettered records, sorted. */
export const letterSeqs = (dlq: MemorySinkControl) => letters(dlq).map((letter) => (letter.record.value as { seq: number }).seq).sort((a, b) => a - b);
export const letterOf = (dlq: MemorySinkControl, n: number) => letters(dlq).find((letter) => (letter.record.value as { seq: number }).seq === n);

export function stageOf(pipeline: Pipeline, stage: string): StageSnapshot {
  const found = pipeline.status().stages.find((s) => s.stage === stage);
  if (!found) throw new Error(`pipeline "${pipeline.name}" has no stage "${stage}"`);
  return found;
}

export const fanOutOf = (pipeline: Pipeline) => stageOf(pipeline, FAN_OUT_STAGE) as FanOutSnapshot;

/** The positions the pipeline committed last. */
export const committed = (dir: string) => JSON.parse(readFileSync(join(dir, 'state', 'test.checkpoint.json'), 'utf8')).positions;

export interface RoutedPipeline {
  readonly pipeline: Pipeline;
  readonly dlq: MemorySinkControl;
  /** The pipeline's data folder (checkpoints). */
  readonly dir: string;
}

/**
 * A pipeline reading `total` sequence numbers (7 per read, keys `k<seq % 7>`) into `routes`, on
 * `transport` (default: a fresh embedded one), its dead letters kept in `dlq`.
 */
/** The embedded transport under Kafka's name: the pipeline plans Kafka's channels and runs them in-process. */
export function plannedAsKafka(): { transport: ChannelTransport; embedded: ChannelTransport } {
  const embedded = createEmbeddedTransport().transport;
  const transport: ChannelTransport = {
    kind: 'kafka',
    connect: () => embedded.connect(),
    ensureChannel: (spec) => embedded.ensureChannel(spec),
    subscribe: (channel, group, handler, options) => embedded.subscribe(channel, group, handler, options),
    unsubscribe: (channel, group) => embedded.unsubscribe(channel, group),
    publish: (channel, records) => embedded.publish(channel, records),
    close: () => embedded.close(),
    status: () => embedded.status(),
    leadership: (group) => embedded.leadership(group),
    changelog: (name) => embedded.changelog(name),
  };
  return { transport, embedded };
}

export function routedPipeline(
  parts: Omit<Parameters<typeof pipelineConfig>[0], 'source' | 'deadLetter'> & { total?: number; source?: Partial<CountingSourceControl>; transport?: ChannelTransport },
): RoutedPipeline {
  const { total = 60, source, transport = createEmbeddedTransport().transport, ...rest } = parts;
  const dlq = sinkControl();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-fan-out-'));
  const control: CountingSourceControl = { total, batchSize: 7, readCount: 0, starts: [], commits: [], ...source };
  const pipeline = new Pipeline(pipelineConfig({ ...rest, source: countingSource(control), deadLetter: memorySink(dlq, 'dlq') }), environment(transport, dir));
  return { pipeline, dlq, dir };
}
