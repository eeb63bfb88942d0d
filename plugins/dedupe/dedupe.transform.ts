import { ExpressionEvaluationError, JsonataExpression, RECORD_VARIABLES, whenEvaluated } from '@sluice/sdk';
import { invalidRecord, type HealthReport, type KeyedStateTransform, type SluiceRecord, type StateShare, type TransformOutput } from '@sluice/sdk';
import type { DedupeConfig, MissingKeyAction } from './dedupe.config.js';
import { Fnv1a64 } from './identity-hash.js';
import { RecentIdentities, type Clock } from './recent-identities.js';
import { hashIdentity } from './record-identity.js';

export type { Clock } from './recent-identities.js';

function failure(error: unknown): never {
  const cause = ExpressionEvaluationError.from(error);
  throw invalidRecord(`key failed: ${cause.message}`, { expression: 'key', ...cause.details });
}

/**
 * Drops records whose identity was seen within a bounded window: an LRU of at most `maxKeys`
 * identities, each optionally forgotten after `ttlMs`. The window remembers a 64-bit FNV-1a hash
 * of each identity's text, not the text (at most 40 bytes per identity once full): two distinct
 * identities with the same hash read as duplicates and the later record is dropped, with odds of
 * about maxKeys / 2^64 per record (see DedupeConfig.maxKeys). The window lives in memory: it
 * starts empty on every start, so records delivered again after a restart pass again.
 *
 * Its state key is the identity's hash: over Kafka the records of one identity meet in one
 * partition of the repartition channel, whose instance remembers them (starting empty, like a
 * restart, when the partition moves to another host).
 */
export class DedupeTransform implements KeyedStateTransform {
  private readonly key: JsonataExpression | undefined;
  private readonly seen: RecentIdentities;
  /** Reset and reused for every record, so deciding allocates nothing (but an object's JSON text). */
  private readonly hasher = new Fnv1a64();
  private readonly onMissingKey: MissingKeyAction;
  private readonly maxKeys: number;
  private dropped = 0;

  constructor(config: DedupeConfig, clock: Clock = performance) {
    this.key = config.key === undefined ? undefined : JsonataExpression.compile(config.key, RECORD_VARIABLES, { timeoutMs: config.timeoutMs });
    this.onMissingKey = config.onMissingKey;
    this.maxKeys = config.maxKeys;
    this.seen = new RecentIdentities({ maxKeys: config.maxKeys, ttlMs: config.ttlMs, refreshOnDuplicate: config.refreshOnDuplicate }, clock);
  }

  process(record: SluiceRecord): TransformOutput | Promise<TransformOutput> {
    if (!this.key) return this.decide(record, record.key);
    return whenEvaluated(this.key.evaluate(record.value, record), (identity) => this.decide(record, identity), failure);
  }

  /** The identity's hash as hex text; none for a record without identity (`process` decides what to do with it). */
  stateKeys(record: SluiceRecord): readonly string[] | Promise<readonly string[]> {
    const keyOf = (identity: unknown): string[] => {
      const hasher = new Fnv1a64();
      return hashIdentity(identity, hasher) ? [hasher.hi.toString(16).padStart(8, '0') + hasher.lo.toString(16).padStart(8, '0')] : [];
    };
    if (!this.key) return keyOf(record.key);
    return whenEvaluated(this.key.evaluate(record.value, record), keyOf, failure);
  }

  /** A record has one identity, so its one share is the record. */
  processShare(record: SluiceRecord, _share?: StateShare): TransformOutput | Promise<TransformOutput> {
    return this.process(record);
  }

  health(): HealthReport {
    return { status: 'up', details: { rememberedKeys: this.seen.size, maxKeys: this.maxKeys, droppedDuplicates: this.dropped } };
  }

  private decide(record: SluiceRecord, identity: unknown): TransformOutput {
    if (!hashIdentity(identity, this.hasher)) {
      if (this.onMissingKey === 'deadLetter') {
        throw invalidRecord(this.key ? `key yielded ${identity === null ? 'null' : 'nothing'}: the record has no identity to deduplicate on` : 'the record has no key to deduplicate on', {
          onMissingKey: 'deadLetter',
        });
      }
      return record;
    }
    // Marks the identity as the most recently seen either way (and, with refreshOnDuplicate,
    // restarts the time window of a duplicate); an expired identity reads as unseen.
    if (this.seen.markSeen(this.hasher.hi, this.hasher.lo)) {
      this.dropped++;
      return null;
    }
    return record;
  }
}
