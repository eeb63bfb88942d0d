import type { BatchHandler } from '#transports';
import type { StageConfig } from '../../config/sluice-config.js';
import type { SinkRunner } from '../sink-runner.js';
import type { TransformRunner } from '../transform-runner.js';
import type { StageInlet, StageOutlet } from './stage-link.js';

/**
 * Creates the runner of one stage with everything it reports through: its plugin instance, its
 * monitor and its logger (the pipeline does, so that every stage shows in its status and health).
 */
export interface StageRunnerFactory {
  transformRunner(stage: StageConfig, inlet: StageInlet, outlet: StageOutlet): TransformRunner;
  sinkRunner(stage: StageConfig, inlet: StageInlet): SinkRunner;
}

/** Where the transform at an index of a chain reads from, and where it hands its outputs. */
export interface ChainLink {
  readonly inlet: StageInlet;
  readonly outlet: StageOutlet;
}

/**
 * Creates the runners of a chain of transforms back to front, each handing its outputs on to the
 * next and the last to `end`. `link(i, next)` says how transform `i` is fed and how it reaches
 * `next` (the handler of the stage after it): a channel, or an in-line call. Returns the runners
 * in chain order and the handler of the chain's first stage.
 */
export function chainTransforms(
  transforms: readonly StageConfig[],
  end: BatchHandler,
  link: (index: number, next: BatchHandler) => ChainLink,
  runners: StageRunnerFactory,
): { readonly runners: TransformRunner[]; readonly entry: BatchHandler } {
  const chain: TransformRunner[] = [];
  let next = end;
  for (let i = transforms.length - 1; i >= 0; i--) {
    const { inlet, outlet } = link(i, next);
    const runner = runners.transformRunner(transforms[i], inlet, outlet);
    chain.unshift(runner);
    next = (records) => runner.handle(records);
  }
  return { runners: chain, entry: next };
}
