import { ExpressionEvaluationError, JsonataExpression, RECORD_VARIABLES, whenEvaluated } from '@sluice/sdk';
import { invalidRecord, type HealthReport, type SluiceRecord, type Transform, type TransformOutput } from '@sluice/sdk';
import { LRUCache } from 'lru-cache';
import type { DedupeConfig, MissingKeyAction } from './dedupe.config.js';
import { identityText } from './record-identity.js';

/** A monotonic millisecond clock (`performance` by default; tests pass their own). */
export interface Clock {
  now(): number;
}

function failure(error: unknown): never {
  const cause = ExpressionEvaluationError.from(error);
  throw invalidRecord(`key failed: ${cause.message}`, { expression: 'key', ...cause.details });
}

/**
 * Drops records whose identity was seen within a bounded window: an LRU of at most `maxKeys`
 * identities, each optionally forgotten after `ttlMs`. The window lives in memory: it starts empty
 * on every start, so records delivered again after a restart pass again.
 */
export class DedupeTransform implements Transform {
  private readonly key: JsonataExpression | undefined;
  private readonly seen: LRUCache<string, true>;
  private readonly onMissingKey: MissingKeyAction;
  private readonly maxKeys: number;
  private dropped = 0;

  constructor(config: DedupeConfig, clock: Clock = performance) {
    this.key = config.key === undefined ? undefined : JsonataExpression.compile(config.key, RECORD_VARIABLES, { timeoutMs: config.timeoutMs });
    this.onMissingKey = config.onMissingKey;
    this.maxKeys = config.maxKeys;
    this.seen = new LRUCache<string, true>({
      max: config.maxKeys,
      ...(config.ttlMs === undefined ? {} : { ttl: config.ttlMs, updateAgeOnGet: config.refreshOnDuplicate }),
      // Read the clock on every check rather than caching it for a millisecond.
      ttlResolution: 0,
      perf: clock,
    });
  }

  process(record: SluiceRecord): TransformOutput | Promise<TransformOutput> {
    if (!this.key) return this.decide(record, record.key);
    return whenEvaluated(this.key.evaluate(record.value, record), (identity) => this.decide(record, identity), failure);
  }

  health(): HealthReport {
    return { status: 'up', details: { rememberedKeys: this.seen.size, maxKeys: this.maxKeys, droppedDuplicates: this.dropped } };
  }

  private decide(record: SluiceRecord, identity: unknown): TransformOutput {
    const text = identityText(identity);
    if (text === undefined) {
      if (this.onMissingKey === 'deadLetter') {
        throw invalidRecord(this.key ? `key yielded ${identity === null ? 'null' : 'nothing'}: the record has no identity to deduplicate on` : 'the record has no key to deduplicate on', {
          onMissingKey: 'deadLetter',
        });
      }
      return record;
    }
    // `get` also marks the identity as recently seen for the LRU order (and, with
    // refreshOnDuplicate, restarts its time window); an expired identity reads as unseen.
    if (this.seen.get(text) !== undefined) {
      this.dropped++;
      return null;
    }
    this.seen.set(text, true);
    return record;
  }
}
