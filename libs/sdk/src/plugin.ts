import type { PluginContext } from './context.js';
import type { Sink } from './sink.js';
import type { Source } from './source.js';
import type { Transform } from './transform.js';
import type { ConfigIssue } from './config-validation.js';
import type { PluginCapabilities } from './capabilities.js';
import type { Codec, CodecContext, CodecUse } from './codec.js';
import { SDK_VERSION } from './version.js';

export type PluginKind = 'source' | 'transform' | 'sink' | 'codec';

/** A config class: class-validator decorators plus `@Field` docs; initialisers are the defaults. */
export type ConfigClass<C extends object = object> = new () => C;

interface PluginDefinitionBase<C extends object> {
  /** Unique per kind, kebab-case: what a pipeline file names in `plugin:`. */
  readonly name: string;
  /** The plugin's own version (semver). */
  readonly version: string;
  /** One line: what the plugin does. */
  readonly description: string;
  /** The config class: the single source of the plugin's config validation and docs. */
  readonly config: ConfigClass<C>;
  /** Checks across fields that decorators cannot express (an expression that must compile...). */
  readonly validate?: (config: C, context: Pick<PluginContext, 'configDir'>) => ConfigIssue[];
  /** What the plugin's instances can do (checked against each instance when it is created). */
  readonly capabilities?: PluginCapabilities;
  /** Example configs, shown by `sluice plugins`. */
  readonly examples?: ReadonlyArray<{ readonly title: string; readonly config: Record<string, unknown> }>;
  /** The SDK version the plugin was built against (stamped by the define* helpers). */
  readonly sdkVersion: string;
}

/** What sources, transforms and sinks have in common (codecs have none of it). */
interface StagePluginDefinitionBase<C extends object> extends PluginDefinitionBase<C> {
  /**
   * The codecs a (validated) config names, e.g. `[{ path: 'format', name: config.format }]`: the host
   * checks them with the config (known name, valid options) before anything starts.
   */
  readonly codecsUsed?: (config: C) => readonly CodecUse[];
}

export interface SourcePluginDefinition<C extends object = any> extends StagePluginDefinitionBase<C> {
  readonly kind: 'source';
  create(config: C, context: PluginContext): Source;
}

export interface TransformPluginDefinition<C extends object = any> extends StagePluginDefinitionBase<C> {
  readonly kind: 'transform';
  create(config: C, context: PluginContext): Transform;
}

export interface SinkPluginDefinition<C extends object = any> extends StagePluginDefinitionBase<C> {
  readonly kind: 'sink';
  create(config: C, context: PluginContext): Sink;
}

/**
 * A codec: a data format (CSV, JSON...) other plugins use by name through `context.codecs`. Its
 * config class holds the format's options (a delimiter, a header row...).
 */
export interface CodecPluginDefinition<C extends object = any> extends PluginDefinitionBase<C> {
  readonly kind: 'codec';
  /** File extensions that mean this format (`.csv`), lower-case with the dot: used by sources picking a codec per file. */
  readonly extensions?: readonly string[];
  /** A codec with validated options. Must do no I/O: hosts create codecs to check configs. */
  create(config: C, context: CodecContext): Codec;
}

export type PluginDefinition = SourcePluginDefinition | TransformPluginDefinition | SinkPluginDefinition | CodecPluginDefinition;

type Definition<D extends PluginDefinition> = Omit<D, 'kind' | 'sdkVersion'>;

export function defineSource<C extends object>(definition: Definition<SourcePluginDefinition<C>>): SourcePluginDefinition<C> {
  return { ...definition, kind: 'source', sdkVersion: SDK_VERSION };
}

export function defineTransform<C extends object>(definition: Definition<TransformPluginDefinition<C>>): TransformPluginDefinition<C> {
  return { ...definition, kind: 'transform', sdkVersion: SDK_VERSION };
}

export function defineSink<C extends object>(definition: Definition<SinkPluginDefinition<C>>): SinkPluginDefinition<C> {
  return { ...definition, kind: 'sink', sdkVersion: SDK_VERSION };
}

export function defineCodec<C extends object>(definition: Definition<CodecPluginDefinition<C>>): CodecPluginDefinition<C> {
  return { ...definition, kind: 'codec', sdkVersion: SDK_VERSION };
}

const KINDS: readonly string[] = ['source', 'transform', 'sink', 'codec'];

/** Whether a module export looks like a plugin definition (used by discovery). */
export function isPluginDefinition(value: unknown): value is PluginDefinition {
  const candidate = value as Partial<PluginDefinition> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.name === 'string' &&
    KINDS.includes(candidate.kind as string) &&
    typeof candidate.create === 'function' &&
    typeof candidate.config === 'function'
  );
}
