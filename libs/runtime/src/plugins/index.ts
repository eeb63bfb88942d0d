export type { PluginOrigin, PluginRegistry, RegisteredPlugin } from './plugin-registry.js';
export { PluginCatalog, DEFAULT_BUILTIN_DIR, type DiscoverOptions } from './plugin-catalog.js';
export {
  PluginDiscoveryError,
  PluginRegistrationError,
  PluginResolutionError,
  describeOrigin,
  type DiscoveryProblem,
} from './plugin-discovery-error.js';
export { findBuiltinEntries, isLocalSpecifier, resolveSpecifier, type PluginEntry } from './plugin-locator.js';
export { loadPluginDefinitions } from './plugin-module-loader.js';
export { codecDefinitions, codecSetFor, stageCodecs, type StageCodecs } from './plugin-codecs.js';
