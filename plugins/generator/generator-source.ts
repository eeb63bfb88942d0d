import type { Checkpoint, Source, SourceRecord, SourceStartContext } from '@sluice/sdk';
import type { GeneratorConfig } from './generator.config.js';
import { RecordFactory } from './record-factory.js';
import { monotonicClock, RatePacer, type Clock } from '@sluice/sdk';

/** The single lane of the generator; its offset is the sequence number of the record (0-based). */
export const SEQUENCE_LANE = 'sequence';

/** Where a run starts: right after the committed sequence number, or at 0. */
export function firstSequence(checkpoint: Checkpoint): number {
  const committed = checkpoint[SEQUENCE_LANE];
  if (committed === undefined) return 0;
  if (typeof committed !== 'number' || !Number.isSafeInteger(committed) || committed < 0) {
    throw new Error(`generator: checkpoint lane "${SEQUENCE_LANE}" holds ${JSON.stringify(committed)}, expected a sequence number (integer ≥ 0)`);
  }
  return committed + 1;
}

/**
 * Produces records made by a {@link RecordFactory}, as fast as possible (`rate: 0`, batches of
 * `batchSize`) or paced by a token bucket. Ends after `count` records when a count is set.
 */
export class GeneratorSource implements Source {
  private readonly factory: RecordFactory;
  private readonly pacer: RatePacer;
  private next = 0;

  constructor(
    private readonly config: GeneratorConfig,
    clock: Clock = monotonicClock,
  ) {
    this.factory = new RecordFactory(config);
    this.pacer = new RatePacer(config.rate, config.batchSize, clock);
  }

  async start(context: SourceStartContext): Promise<void> {
    this.next = firstSequence(context.checkpoint);
  }

  async read(signal: AbortSignal): Promise<SourceRecord[] | null> {
    const remaining = this.config.count === undefined ? Number.POSITIVE_INFINITY : this.config.count - this.next;
    if (remaining <= 0) return null;
    const size = await this.pacer.allowance(remaining, signal);
    if (size === 0) return [];
    return this.produce(size);
  }

  async stop(): Promise<void> {
    // Nothing to release: the generator holds no resources.
  }

  /** The next `size` records (synchronous: a batch of 1000 takes well under a millisecond). */
  private produce(size: number): SourceRecord[] {
    const batch: SourceRecord[] = new Array(size);
    for (let i = 0; i < size; i++) {
      const sequence = this.next + i;
      const { value, key } = this.factory.make(sequence);
      batch[i] = { value, key, position: { lane: SEQUENCE_LANE, offset: sequence } };
    }
    this.next += size;
    return batch;
  }
}
