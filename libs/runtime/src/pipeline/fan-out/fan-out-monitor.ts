import { StageMonitor, type StageSnapshot } from '../stage-monitor.js';

/** The stage name of a pipeline's fan-out: the parent of its route stages (`routes.<route>.sink`). */
export const FAN_OUT_STAGE = 'routes';

/** What the fan-out reports as its plugin: it is the runtime's own node, not a plugin. */
export const FAN_OUT_PLUGIN = 'fan-out';

/** A fan-out's snapshot: a stage's, plus what it handed to each route and what no route took. */
export interface FanOutSnapshot extends StageSnapshot {
  readonly fanOut: {
    /** Per route, the records it acknowledged (a record two routes take counts in both). */
    readonly routed: Readonly<Record<string, number>>;
    /** Records no route took: dead-lettered or dropped, as the pipeline's `unrouted` says. */
    readonly unrouted: number;
  };
}

/**
 * The monitor of a pipeline's fan-out. Its stage counters read as for any stage (`out` counts
 * route deliveries, `dropped` the unrouted records dropped, `deadLettered` the unrouted ones and
 * those whose condition failed); the snapshot adds the count per route.
 */
export class FanOutMonitor extends StageMonitor {
  private readonly routed: Map<string, number>;
  private unrouted = 0;

  constructor(pipeline: string, routes: readonly string[]) {
    super(pipeline, FAN_OUT_STAGE, FAN_OUT_PLUGIN, 'fan-out');
    this.routed = new Map(routes.map((route) => [route, 0]));
  }

  /** `count` records of `route`'s share were acknowledged by the route. */
  countRouted(route: string, count: number): void {
    this.routed.set(route, (this.routed.get(route) ?? 0) + count);
    this.counters.out += count;
  }

  countUnrouted(count: number): void {
    this.unrouted += count;
  }

  override snapshot(): FanOutSnapshot {
    return { ...super.snapshot(), fanOut: { routed: Object.fromEntries(this.routed), unrouted: this.unrouted } };
  }
}
