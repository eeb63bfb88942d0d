import { CodecSet, silentLogger, type CodecPluginDefinition, type PluginLogger } from '@sluice/sdk';
import type { PluginRegistry } from './plugin-registry.js';

/** The codec plugins of a registry, by name. */
export function codecDefinitions(registry: PluginRegistry): CodecPluginDefinition[] {
  return registry
    .names('codec')
    .map((name) => registry.get('codec', name)?.definition)
    .filter((definition): definition is CodecPluginDefinition => definition?.kind === 'codec');
}

/**
 * What a resolved stage carries besides its plugin and config: the codecs of the host that resolved
 * it, handed to the plugin as `context.codecs` when the pipeline creates it.
 */
export interface StageCodecs {
  readonly codecs?: readonly CodecPluginDefinition[];
}

/**
 * The codecs a resolved stage carries; for a stage built without them (stages made by hand in
 * tests), those of `sameConfig`, a stage resolved from the same file.
 */
export function stageCodecs(stage: object, sameConfig?: object): readonly CodecPluginDefinition[] {
  return (stage as StageCodecs).codecs ?? (sameConfig as StageCodecs | undefined)?.codecs ?? [];
}

/** `context.codecs` for a plugin: the codecs of its stage, created with the plugin's config folder and logger. */
export function codecSetFor(definitions: readonly CodecPluginDefinition[], configDir: string, logger: PluginLogger = silentLogger): CodecSet {
  return new CodecSet(definitions, { configDir, logger });
}
