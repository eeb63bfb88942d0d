import type { Codecs } from './codec.js';
import type { PluginLogger } from './logger.js';
import type { Checkpoint } from './record.js';

/** What every plugin instance receives when it is created. */
export interface PluginContext {
  /** The pipeline the plugin runs in. */
  readonly pipeline: string;
  /** The stage name inside the pipeline (e.g. `source`, `transforms[1]`, `sink`). */
  readonly stage: string;
  /** Logger carrying pipeline and stage. */
  readonly logger: PluginLogger;
  /** Folder of the config file: resolve relative paths in the plugin's config against it. */
  readonly configDir: string;
  /** Folder where plugins may keep state (databases, spool files); created by the host. */
  readonly dataDir: string;
  /**
   * The codecs (data formats) the host knows, by name: `context.codecs.create('csv', options)`.
   * Sluice hosts and the test harness always set it; use {@link codecsOf} to read it.
   */
  readonly codecs?: Codecs;
  /**
   * Keyed-state transforms: set when the runtime keeps this instance's state (one instance per
   * partition of a repartition channel, its state in a changelog topic, see `KeyedStateTransform`).
   * Keep no state file of your own then: the partition, and its state, may move to another host.
   */
  readonly stateManaged?: boolean;
}

/** The context's codecs; throws, naming the stage, when whoever built the context gave none. */
export function codecsOf(context: Pick<PluginContext, 'codecs' | 'stage'>): Codecs {
  if (!context.codecs) throw new Error(`stage "${context.stage}": the host gave this plugin no codecs (PluginContext.codecs is not set)`);
  return context.codecs;
}

/** What a source receives when it starts (again, after a restart). */
export interface SourceStartContext {
  /** The positions committed so far: resume after them. Empty on the very first start. */
  readonly checkpoint: Checkpoint;
  /** Aborted when the source must stop; pass it to waits and I/O. */
  readonly signal: AbortSignal;
}
