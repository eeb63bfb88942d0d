import type { SluiceRecord } from '@sluice/sdk';
import type { BatchHandler } from '#transports';
import type { RouteConfig } from '../../config/sluice-config.js';
import type { SinkRunner } from '../sink-runner.js';
import type { TransformRunner } from '../transform-runner.js';
import { chainTransforms, type ChainLink, type StageRunnerFactory } from '../topology/stage-chain.js';
import { directOutlet, type StageInlet, type StageOutlet } from '../topology/stage-link.js';
import { RouteCondition } from './route-condition.js';

/** A route's stages take their batches from the stage before them, in-line, unless the pipeline links them otherwise. */
const IN_LINE: StageInlet = { kind: 'direct' };

/** How the stages of a route are linked: in-line by default; the pipeline puts a channel before a keyed-state transform on Kafka. */
export interface RouteLinks {
  /** Where transform `index` reads from and how it reaches `next`. */
  readonly link: (index: number, next: (records: SluiceRecord[]) => Promise<void>) => ChainLink;
  /** How the fan-out reaches the route's first stage (`first`: its handler). */
  readonly entry: (first: (records: SluiceRecord[]) => Promise<void>) => StageOutlet;
}

const ALL_IN_LINE: RouteLinks = {
  link: (_index, next) => ({ inlet: IN_LINE, outlet: directOutlet(next) }),
  entry: (first) => directOutlet(first),
};

/**
 * One route of a fan-out as it runs: its condition, and a chain of the same runners as a
 * pipeline's main chain (a transform runner per route transform, a sink runner for its sink), each
 * with its own monitor, retries, timeouts and dead letters, under the stage names
 * `routes.<route>.transforms[i]` and `routes.<route>.sink`.
 */
export class RouteChain {
  private constructor(
    readonly name: string,
    readonly condition: RouteCondition,
    private readonly transforms: readonly TransformRunner[],
    private readonly sink: SinkRunner,
    private readonly entry: BatchHandler,
  ) {}

  static build(route: RouteConfig, runners: StageRunnerFactory, links: RouteLinks = ALL_IN_LINE): RouteChain {
    const sink = runners.sinkRunner(route.sink, IN_LINE);
    const { runners: transforms, entry } = chainTransforms(route.transforms, (records) => sink.handle(records), links.link, runners);
    const outlet = links.entry(entry);
    return new RouteChain(route.name, new RouteCondition(route.name, route.when), transforms, sink, (records) => outlet.publish(records));
  }

  /** Hands the route its share of a batch; resolves once every stage of the route handled it. */
  handle(records: SluiceRecord[]): Promise<void> {
    return this.entry(records);
  }

  /** Starts the route downstream first: its sink, then its transforms from the last to the first. */
  async start(signal: AbortSignal): Promise<void> {
    await this.sink.start(signal);
    for (let i = this.transforms.length - 1; i >= 0; i--) await this.transforms[i].start(signal);
  }

  /** Stops the route upstream first, each stage draining into the next before the next stops. */
  async stop(): Promise<void> {
    for (const transform of this.transforms) await transform.stop();
    await this.sink.stop();
  }
}
