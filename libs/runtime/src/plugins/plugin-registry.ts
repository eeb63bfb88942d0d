import type { PluginDefinition, PluginKind } from '@sluice/sdk';

/** Where a plugin was found: shown by `sluice plugins` and in errors. */
export interface PluginOrigin {
  readonly kind: 'builtin' | 'package' | 'path';
  /** Folder, package name or path it was loaded from. */
  readonly from: string;
}

export interface RegisteredPlugin {
  readonly definition: PluginDefinition;
  readonly origin: PluginOrigin;
}

/** The plugins a host knows: built-ins plus what a config file adds. */
export interface PluginRegistry {
  get(kind: PluginKind, name: string): RegisteredPlugin | undefined;
  /** Names registered for a kind, sorted. */
  names(kind: PluginKind): string[];
  all(): RegisteredPlugin[];
}
