interface Waiter {
  readonly records: number;
  readonly settle: (admitted: boolean) => void;
}

/**
 * The one in-flight bound: counts the records taken in and not yet released, and makes whoever
 * wants to take more wait, in turn, while they would pass the limit. Waiters are let in strictly in
 * the order they came (a small request never overtakes a larger one waiting before it), and a batch
 * larger than the whole limit is let in once nothing else is in flight: waiting for room it can
 * never have would deadlock.
 */
export class InFlightLimit {
  private inFlight = 0;
  private waiters: Waiter[] = [];
  private drainWaiters: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`an in-flight limit must be a whole number of at least 1, not ${limit}`);
  }

  /** Records taken in and not yet released. */
  get count(): number {
    return this.inFlight;
  }

  /** Requests waiting for room. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Whether taking `records` now would have to wait (to flush or commit first, say). */
  wouldWait(records: number): boolean {
    return records > 0 && (this.waiters.length > 0 || !this.fits(records));
  }

  /**
   * Waits until `records` more fit under the limit, then counts them and resolves true. Resolves
   * false when `signal` aborts first: then nothing was counted. Taking nothing never waits.
   */
  acquire(records: number, signal?: AbortSignal): Promise<boolean> {
    checkRecords(records);
    if (!this.wouldWait(records)) {
      this.inFlight += records;
      return Promise.resolve(true);
    }
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const onAbort = () => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        resolve(false);
        // It may have held back smaller requests behind it that fit.
        this.admitWaiters();
      };
      const waiter: Waiter = {
        records,
        settle: (admitted) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(admitted);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /**
   * Counts records already in hand that must not be refused (read before a stop, which hands them
   * on rather than dropping them): never waits, may pass the limit; later requests wait until the
   * count is back under it.
   */
  forceAcquire(records: number): void {
    checkRecords(records);
    this.inFlight += records;
  }

  /** Gives back the room of `records` that were handled; more than are in flight is an error. */
  release(records: number): void {
    checkRecords(records);
    if (records > this.inFlight) throw new Error(`released ${records} record(s) while only ${this.inFlight} are in flight`);
    this.inFlight -= records;
    if (this.inFlight === 0) {
      const drained = this.drainWaiters;
      this.drainWaiters = [];
      for (const resolve of drained) resolve();
    }
    this.admitWaiters();
  }

  /** Resolves once nothing is in flight (at once when nothing is). */
  drained(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private fits(records: number): boolean {
    return this.inFlight === 0 || this.inFlight + records <= this.limit;
  }

  private admitWaiters(): void {
    while (this.waiters.length > 0 && this.fits(this.waiters[0].records)) {
      const waiter = this.waiters.shift()!;
      this.inFlight += waiter.records;
      waiter.settle(true);
    }
  }
}

function checkRecords(records: number): void {
  if (!Number.isInteger(records) || records < 0) throw new RangeError(`a record count must be a whole number of at least 0, not ${records}`);
}
