import type { SluiceRecord } from './record.js';
import type { Transform, TransformOutput } from './transform.js';

/** Which share of a record an instance processes (see {@link KeyedStateTransform.processShare}). */
export interface StateShare {
  /** The state key this share belongs to: one of what `stateKeys` returned for the record. */
  readonly key: string;
  /** True on exactly one share of each record: what is passed on unchanged goes there, once. */
  readonly primary: boolean;
}

/**
 * A transform with `keyedState: true` keeps state per key, and says which keys a record touches,
 * so that the runtime can spread the keys over hosts. Over Kafka, the stage before it publishes one
 * copy of each record per state key to a repartition channel keyed by that key; each partition of
 * the channel has its own instance of the transform, which sees only its keys' shares. The
 * instance's state, when it can be snapshotted, is written to a changelog topic with the channel
 * offset it covers before each batch is acknowledged, and restored by whichever host gets the
 * partition next. On one host (the embedded transport) there is one instance and `process` is called.
 */
export interface KeyedStateTransform extends Transform {
  /**
   * The keys of the state `record` touches (e.g. the groups it counts in): pure, no state change.
   * An empty list: the record touches none, and is processed whole (`process`) by whichever
   * instance receives it. Throwing leaves the record whole too, for `process` to reject it there.
   */
  stateKeys(record: SluiceRecord): readonly string[] | Promise<readonly string[]>;
  /** Processes only what of `record` concerns `share.key` (the other keys are other instances'). */
  processShare(record: SluiceRecord, share: StateShare, signal?: AbortSignal): TransformOutput | Promise<TransformOutput>;
  /**
   * The state as a JSON value, for the runtime's changelog. Without it (and {@link restoreState}) an
   * instance starts empty wherever its partition moves.
   */
  snapshotState?(): unknown;
  /** Replaces the state with one {@link snapshotState} returned (on this config). Throw when it cannot be read. */
  restoreState?(state: unknown): void;
}

/** Whether a transform instance implements the keyed-state contract. */
export function isKeyedStateTransform(transform: Transform): transform is KeyedStateTransform {
  const candidate = transform as Partial<KeyedStateTransform>;
  return typeof candidate.stateKeys === 'function' && typeof candidate.processShare === 'function';
}
