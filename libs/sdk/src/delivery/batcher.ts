/** When a batch is handed on: at `maxRecords` records, `maxBytes` bytes (0: no byte limit) or `maxWaitMs` after its first record. */
export interface BatchPolicy {
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly maxWaitMs: number;
}

/**
 * The one batcher: gathers items and hands them on in batches of at most `maxRecords`, as soon as
 * a batch is full (by count or bytes) or its first item waited `maxWaitMs`. Items keep their order.
 * `flush()` hands on everything pending at once (a stop, a source waiting for capacity).
 * A receiver that takes one batch at a time can `hold()` the batcher while it is busy and `resume()`
 * it after: what arrived meanwhile then goes on in full batches rather than in many small ones cut by
 * the timer, which would each cost the receiver a round trip.
 */
export class Batcher<T> {
  private items: T[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private held = false;

  constructor(
    private readonly policy: BatchPolicy,
    private readonly emit: (batch: T[]) => void,
  ) {}

  /** Items waiting for their batch. */
  get pending(): number {
    return this.items.length;
  }

  /** Adds an item of `bytes` bytes (pass 0 when the policy has no byte limit). */
  add(item: T, bytes = 0): void {
    this.items.push(item);
    this.bytes += bytes;
    if (this.held) return;
    const { maxRecords, maxBytes, maxWaitMs } = this.policy;
    if (this.items.length >= maxRecords || (maxBytes > 0 && this.bytes >= maxBytes)) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), maxWaitMs);
  }

  /** Gathers items without handing them on (by count or time) until `resume()`; `flush()` still hands them on. */
  hold(): void {
    this.held = true;
    this.stopTimer();
  }

  /** Ends a `hold()`: hands on what gathered meanwhile, in batches of at most `maxRecords`. */
  resume(): void {
    this.held = false;
    this.flush();
  }

  /** Hands on every pending item, in batches of at most `maxRecords`. */
  flush(): void {
    this.stopTimer();
    const items = this.items;
    if (items.length === 0) return;
    this.items = [];
    this.bytes = 0;
    const { maxRecords } = this.policy;
    if (items.length <= maxRecords) this.emit(items);
    else for (let start = 0; start < items.length; start += maxRecords) this.emit(items.slice(start, start + maxRecords));
  }

  private stopTimer(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
