import { describeError, invalidRecord, type PluginLogger, type SluiceRecord } from '@sluice/sdk';
import type { UnroutedPolicy } from '../../config/sluice-config.js';
import type { DeadLetter, DeadLetterQueue } from '../dead-letter-queue.js';
import { closeInlet, openInlet, type StageInlet } from '../topology/stage-link.js';
import { FAN_OUT_PLUGIN, FAN_OUT_STAGE, type FanOutMonitor } from './fan-out-monitor.js';
import type { RouteChain } from './route-chain.js';

export interface FanOutNodeOptions {
  readonly routes: readonly RouteChain[];
  readonly unrouted: UnroutedPolicy;
  /** Where its batches come from: a channel (on Kafka), or the last stage of the main chain. */
  readonly inlet: StageInlet;
  readonly deadLetters: DeadLetterQueue;
  readonly monitor: FanOutMonitor;
  readonly logger: PluginLogger;
}

/** What the fan-out makes of one batch before handing it on. */
interface Split {
  /** Per route (in route order), the records it takes that it has not acknowledged yet. */
  readonly shares: SluiceRecord[][];
  /** Records whose condition failed, or (unrouted: deadLetter) that no route takes, not dead-lettered yet. */
  readonly letters: DeadLetter[];
  /** Records no route takes. */
  readonly unrouted: number;
  readonly started: number;
}

/** The destination index that stands for the dead-letter queue in what a record was acknowledged by. */
const DEAD_LETTERS = -1;

/**
 * The last stage of a pipeline's main chain when it has routes. For each batch it evaluates every
 * route's condition on every record, hands each route its share (the routes side by side), and
 * resolves, acknowledging the batch upstream, only once every route acknowledged its share. A
 * record whose condition cannot be evaluated goes to the dead-letter destination with the reason
 * (the routes that take it still get it); one no route takes is dead-lettered or dropped, as
 * `unrouted` says.
 *
 * Batches are split one after the other and handed on in the order they came, so that each route
 * sees a key's records in order. When a route refuses its share (its dead-letter destination
 * failed, a transform's flush failed), the batch is refused and comes back; the routes (and the
 * dead-letter queue) that acknowledged their part of it are not handed that part again.
 */
export class FanOutNode {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly deliveries = new Set<Promise<void>>();
  /** Only for records of a refused batch: the routes (by index) and DEAD_LETTERS that acknowledged them. */
  private readonly acknowledged = new WeakMap<SluiceRecord, Set<number>>();
  private subscribed = false;
  /** Why a record no route takes is dead-lettered (unrouted: deadLetter). */
  private readonly noRoute: string;

  constructor(private readonly options: FanOutNodeOptions) {
    this.noRoute = `matched no route (routes: ${options.routes.map((route) => route.name).join(', ')})`;
  }

  /** Starts every route (each downstream first), then consumes its channel. */
  async start(signal: AbortSignal): Promise<void> {
    const { routes, inlet, monitor } = this.options;
    for (const route of routes) await route.start(signal);
    await openInlet(inlet, (records) => this.handle(records));
    this.subscribed = true;
    monitor.transition('running');
  }

  /** Records a failed attempt at something the fan-out needs before it runs (its channel). */
  startFailed(error: unknown, attempt: number, message: string): void {
    const { monitor, logger } = this.options;
    monitor.fail(error);
    monitor.transition('restarting');
    logger.error({ err: describeError(error), attempt }, message);
  }

  /**
   * Stops consuming, waits for the batches under way, then stops the routes side by side (every
   * route, even when one fails to stop; the first error is thrown after).
   */
  async stop(): Promise<void> {
    const { routes, inlet, monitor } = this.options;
    monitor.transition('stopping');
    if (this.subscribed) {
      this.subscribed = false;
      await closeInlet(inlet);
    }
    while (this.deliveries.size > 0) await Promise.allSettled([...this.deliveries]);
    const stopped = await Promise.allSettled(routes.map((route) => route.stop()));
    monitor.transition('stopped');
    const failed = stopped.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Splits one batch over the routes; resolves once every route acknowledged its share. */
  handle(records: SluiceRecord[]): Promise<void> {
    this.options.monitor.counters.in += records.length;
    const split = this.tail.then(() => this.split(records));
    this.tail = split.catch(() => undefined);
    const delivery = split.then((parts) => this.deliver(records, parts));
    this.deliveries.add(delivery);
    void delivery.catch(() => undefined).finally(() => this.deliveries.delete(delivery));
    return delivery;
  }

  private async split(records: readonly SluiceRecord[]): Promise<Split> {
    const { routes } = this.options;
    const started = performance.now();
    const shares = routes.map((): SluiceRecord[] => []);
    const letters: DeadLetter[] = [];
    let unrouted = 0;
    for (const record of records) {
      const done = this.acknowledged.get(record);
      const letter = (error: unknown) => {
        if (!done?.has(DEAD_LETTERS)) letters.push(fanOutLetter(record, error));
      };
      let taken = false;
      let failed = false;
      for (let r = 0; r < routes.length; r++) {
        try {
          if (!(await routes[r].condition.takes(record))) continue;
        } catch (error) {
          failed = true;
          letter(error);
          continue;
        }
        taken = true;
        if (!done?.has(r)) shares[r].push(record);
      }
      if (taken || failed) continue;
      unrouted++;
      if (this.options.unrouted === 'deadLetter') letter(invalidRecord(this.noRoute));
    }
    return { shares, letters, unrouted, started };
  }

  private async deliver(records: readonly SluiceRecord[], { shares, letters, unrouted, started }: Split): Promise<void> {
    const { routes, deadLetters, monitor } = this.options;
    // Called in batch order (the splits run one after the other): each route gets its shares in order.
    // Each route is counted as soon as it acknowledged: a slow route does not hold up the others' counts.
    const handed = routes.map((route, r) => (shares[r].length === 0 ? Promise.resolve() : route.handle(shares[r]).then(() => monitor.countRouted(route.name, shares[r].length))));
    monitor.batchLatency.record(performance.now() - started);
    const sent = deadLetters.send(letters).then(() => void (monitor.counters.deadLettered += letters.length));
    const [lettersSent, ...routed] = await Promise.allSettled([sent, ...handed]);
    const refused = [lettersSent, ...routed].find((outcome) => outcome.status === 'rejected');
    if (refused) {
      this.remember(DEAD_LETTERS, lettersSent.status, letters.map((letter) => letter.record));
      routed.forEach((outcome, r) => this.remember(r, outcome.status, shares[r]));
      monitor.fail(refused.reason);
      throw refused.reason;
    }
    monitor.countUnrouted(unrouted);
    if (this.options.unrouted === 'drop') monitor.counters.dropped += unrouted;
    monitor.counters.acked += records.length;
  }

  /** Notes that `destination` acknowledged `records` (when it did), so that a refused batch that comes back skips them there. */
  private remember(destination: number, status: PromiseSettledResult<void>['status'], records: readonly SluiceRecord[]): void {
    if (status !== 'fulfilled') return;
    for (const record of records) {
      const done = this.acknowledged.get(record);
      if (done) done.add(destination);
      else this.acknowledged.set(record, new Set([destination]));
    }
  }
}

/** A record the fan-out itself fails: bad data, not retried. */
function fanOutLetter(record: SluiceRecord, error: unknown): DeadLetter {
  return { record, error: describeError(error), stage: FAN_OUT_STAGE, plugin: FAN_OUT_PLUGIN, attempts: 1, retryable: false };
}
