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
}

/** What a source receives when it starts (again, after a restart). */
export interface SourceStartContext {
  /** The positions committed so far: resume after them. Empty on the very first start. */
  readonly checkpoint: Checkpoint;
  /** Aborted when the source must stop; pass it to waits and I/O. */
  readonly signal: AbortSignal;
}
