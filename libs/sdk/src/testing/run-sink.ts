import { describeError } from '../errors.js';
import type { SluiceRecord } from '../record.js';
import type { SinkPluginDefinition } from '../plugin.js';
import type { Sink } from '../sink.js';
import { makeRecord } from './make-record.js';
import { prepare, type HarnessOptions } from './harness-context.js';

export interface RunSinkOptions extends HarnessOptions {
  /** Leave the sink started so the test can query it; the test then calls `sink.stop()`. */
  readonly keepOpen?: boolean;
}

export interface RunSinkResult {
  /** Records the sink acknowledged. */
  readonly acked: SluiceRecord[];
  /** Records the sink refused, with the error (the runtime would retry or dead-letter them). */
  readonly failed: Array<{ readonly record: SluiceRecord; readonly error: string }>;
  /** The sink instance (started when `keepOpen`, stopped otherwise). */
  readonly sink: Sink;
}

/** Drives a sink plugin: each inner array is written as one batch, in order. */
export async function runSink(definition: SinkPluginDefinition, rawConfig: unknown, batches: ReadonlyArray<readonly unknown[]>, options: RunSinkOptions = {}): Promise<RunSinkResult> {
  const { config, context } = prepare(definition, rawConfig, options);
  const sink = definition.create(config, context);
  await sink.start?.();
  const acked: SluiceRecord[] = [];
  const failed: Array<{ record: SluiceRecord; error: string }> = [];
  try {
    for (const batch of batches) {
      const records = batch.map((r) => (typeof r === 'object' && r !== null && 'origin' in r && 'value' in r ? (r as SluiceRecord) : makeRecord(r)));
      try {
        const result = await sink.write(records);
        const failedIndexes = new Map((result?.failed ?? []).map((f) => [f.index, f.error]));
        records.forEach((record, index) => {
          if (failedIndexes.has(index)) failed.push({ record, error: describeError(failedIndexes.get(index)) });
          else acked.push(record);
        });
      } catch (error) {
        for (const record of records) failed.push({ record, error: describeError(error) });
      }
    }
  } finally {
    if (!options.keepOpen) await sink.stop?.();
  }
  return { acked, failed, sink };
}
