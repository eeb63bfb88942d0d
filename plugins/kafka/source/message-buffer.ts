/**
 * The bounded hand-over between the kafkajs fetch loop (producer side, `push`) and the source's
 * `read` (consumer side, `takeAll`). It never holds more than `capacity` items: the producer waits
 * for room (`waitForRoom`), which holds the fetch loop and so stops fetching.
 */
export class MessageBuffer<T> {
  private items: T[] = [];
  private roomWaiters = new Set<() => void>();
  private itemWaiters = new Set<() => void>();
  private closed = false;
  private highest = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`buffer capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.items.length;
  }

  get isFull(): boolean {
    return this.items.length >= this.capacity;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The most items the buffer ever held at once. */
  get peak(): number {
    return this.highest;
  }

  /** Adds an item; the caller makes sure there is room (waitForRoom). */
  push(item: T): void {
    if (this.closed) throw new Error('the buffer is closed');
    if (this.isFull) throw new Error(`the buffer is full (${this.capacity} items)`);
    this.items.push(item);
    if (this.items.length > this.highest) this.highest = this.items.length;
    this.wake(this.itemWaiters);
  }

  /** Removes and returns everything buffered, oldest first. */
  takeAll(): T[] {
    const taken = this.items;
    this.items = [];
    if (taken.length > 0) this.wake(this.roomWaiters);
    return taken;
  }

  /** Drops everything buffered and returns how many items that was. */
  clear(): number {
    const dropped = this.items.length;
    this.items = [];
    this.wake(this.roomWaiters);
    return dropped;
  }

  /** Drops everything and wakes every waiter for good: pushes fail, waits return at once. */
  close(): void {
    this.closed = true;
    this.clear();
    this.wake(this.itemWaiters);
  }

  /** Wakes the readers waiting for items (for instance to let them see an error). */
  interruptReaders(): void {
    this.wake(this.itemWaiters);
  }

  /**
   * Resolves true as soon as there is room (or the buffer is closed), false after `timeoutMs`
   * without room (the producer uses the pause to send a heartbeat).
   */
  waitForRoom(timeoutMs: number): Promise<boolean> {
    if (!this.isFull || this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (room: boolean) => {
        clearTimeout(timer);
        this.roomWaiters.delete(wake);
        resolve(room);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.roomWaiters.add(wake);
    });
  }

  /** Resolves when items arrive, the buffer closes, readers are interrupted or `signal` aborts. */
  waitForItems(signal: AbortSignal): Promise<void> {
    if (this.items.length > 0 || this.closed || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        this.itemWaiters.delete(wake);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      this.itemWaiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  private wake(waiters: Set<() => void>): void {
    for (const wake of [...waiters]) wake();
  }
}
