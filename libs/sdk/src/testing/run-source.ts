import type { Checkpoint, SluiceRecord, SourcePosition, SourceRecord } from '../record.js';
import type { SourcePluginDefinition } from '../plugin.js';
import type { Source } from '../source.js';
import { prepare, type HarnessOptions } from './harness-context.js';

export interface RunSourceOptions extends HarnessOptions {
  /** Stop after this many records (good and failed together). Default: until the source ends. */
  readonly maxRecords?: number;
  /** Resume from these committed positions, as after a restart. */
  readonly checkpoint?: Checkpoint;
  /** Give up waiting after this long (ms, default 10 000): the result then has `ended: false`. */
  readonly timeoutMs?: number;
}

export interface RunSourceResult {
  /** Records as the runtime would pass them on. */
  readonly records: SluiceRecord[];
  /** Input the source could not turn into records (they would go to the dead-letter destination). */
  readonly failures: Array<{ readonly record: SourceRecord; readonly reason: string }>;
  /** Every position read, in order. */
  readonly positions: SourcePosition[];
  /** The checkpoint the runtime would commit once all of these were acknowledged. */
  readonly checkpoint: Checkpoint;
  /** True when the source reported the end of its input. */
  readonly ended: boolean;
}

/**
 * Runs a source plugin without a host: start, read until `maxRecords` or the end of input, commit
 * everything read (as if the sink acknowledged it all) and stop.
 */
export async function runSource(definition: SourcePluginDefinition, rawConfig: unknown, options: RunSourceOptions = {}): Promise<RunSourceResult> {
  const { config, context } = prepare(definition, rawConfig, options);
  const source: Source = definition.create(config, context);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 10_000);
  const records: SluiceRecord[] = [];
  const failures: Array<{ record: SourceRecord; reason: string }> = [];
  const positions: SourcePosition[] = [];
  const checkpoint: Record<string, SourcePosition['offset']> = { ...(options.checkpoint ?? {}) };
  const limit = options.maxRecords ?? Number.POSITIVE_INFINITY;
  let ended = false;
  try {
    await source.start?.({ checkpoint: options.checkpoint ?? {}, signal: controller.signal });
    while (records.length + failures.length < limit && !controller.signal.aborted) {
      let batch: SourceRecord[] | null;
      try {
        batch = await source.read(controller.signal);
      } catch (error) {
        if (controller.signal.aborted) break;
        throw error;
      }
      if (batch === null) {
        ended = true;
        break;
      }
      for (const item of batch) {
        if (records.length + failures.length >= limit) break;
        if (item.position) {
          positions.push(item.position);
          checkpoint[item.position.lane] = item.position.offset;
        }
        if (item.failure !== undefined) {
          failures.push({ record: item, reason: item.failure });
          continue;
        }
        records.push({
          key: item.key ?? null,
          value: item.value,
          headers: item.headers ?? {},
          timestamp: item.timestamp ?? Date.now(),
          origin: { pipeline: context.pipeline, source: definition.name, ...(item.position ?? {}) },
        });
      }
    }
    if (source.commit && positions.length > 0) await source.commit(checkpoint);
  } finally {
    clearTimeout(timer);
    controller.abort();
    await source.stop?.();
  }
  return { records, failures, positions, checkpoint, ended };
}
