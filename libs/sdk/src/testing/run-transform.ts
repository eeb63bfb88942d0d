import { describeError, isRetryable } from '../errors.js';
import type { SluiceRecord } from '../record.js';
import type { TransformPluginDefinition } from '../plugin.js';
import { makeRecord } from './make-record.js';
import { prepare, type HarnessOptions } from './harness-context.js';

export interface RunTransformResult {
  /** What the transform passed on, in order. */
  readonly outputs: SluiceRecord[];
  /** Inputs that produced no output (filtered out). */
  readonly dropped: SluiceRecord[];
  /** Inputs that failed, with the error message and whether the runtime would retry them. */
  readonly deadLetters: Array<{ readonly record: SluiceRecord; readonly error: string; readonly retryable: boolean }>;
}

function isRecord(value: unknown): value is SluiceRecord {
  return typeof value === 'object' && value !== null && 'value' in value && 'origin' in value && 'headers' in value;
}

/** Pushes records (or plain values, wrapped with {@link makeRecord}) through a transform plugin, as one batch (then `flush`, then `stop`). */
export async function runTransform(definition: TransformPluginDefinition, rawConfig: unknown, inputs: readonly unknown[], options: HarnessOptions = {}): Promise<RunTransformResult> {
  const { config, context } = prepare(definition, rawConfig, options);
  const transform = definition.create(config, context);
  await transform.start?.();
  const outputs: SluiceRecord[] = [];
  const dropped: SluiceRecord[] = [];
  const deadLetters: Array<{ record: SluiceRecord; error: string; retryable: boolean }> = [];
  try {
    for (const input of inputs) {
      const record = isRecord(input) ? input : makeRecord(input);
      try {
        const result = await transform.process(record);
        const produced = result === null ? [] : Array.isArray(result) ? result : [result as SluiceRecord];
        if (produced.length === 0) dropped.push(record);
        outputs.push(...produced);
      } catch (error) {
        deadLetters.push({ record, error: describeError(error), retryable: isRetryable(error) });
      }
    }
    // As the runtime does before acknowledging a batch.
    await transform.flush?.();
  } finally {
    await transform.stop?.();
  }
  return { outputs, dropped, deadLetters };
}
