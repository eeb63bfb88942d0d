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
 */
export class Batcher<T> {
  private items: T[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | null = null;

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
    const { maxRecords, maxBytes, maxWaitMs } = this.policy;
    if (this.items.length >= maxRecords || (maxBytes > 0 && this.bytes >= maxBytes)) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), maxWaitMs);
  }

  /** Hands on every pending item, in batches of at most `maxRecords`. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const items = this.items;
    if (items.length === 0) return;
    this.items = [];
    this.bytes = 0;
    const { maxRecords } = this.policy;
    if (items.length <= maxRecords) this.emit(items);
    else for (let start = 0; start < items.length; start += maxRecords) this.emit(items.slice(start, start + maxRecords));
  }
}
