import { capabilityIssues, isPluginDefinition, majorOf, SDK_VERSION, type PluginDefinition, type PluginKind } from '@sluice/sdk';
import {
  describeOrigin,
  PluginDiscoveryError,
  PluginRegistrationError,
  type DiscoveryProblem,
} from './plugin-discovery-error.js';
import { findBuiltinEntries, resolveSpecifier, type PluginEntry } from './plugin-locator.js';
import { loadPluginDefinitions } from './plugin-module-loader.js';
import type { PluginOrigin, PluginRegistry, RegisteredPlugin } from './plugin-registry.js';

/**
 * The repository's `plugins/` folder when running from source (jest), `dist/plugins/` when running
 * the compiled `dist/libs/runtime/src/plugins/plugin-catalog.js`.
 */
export const DEFAULT_BUILTIN_DIR = new URL('../../../../plugins/', import.meta.url);

export interface DiscoverOptions {
  /** Folder of the built-in plugins (one folder per plugin with an index); `false`: no built-ins. */
  readonly builtinDir?: string | URL | false;
  /** Extra plugins named by the config: npm package names or local paths. */
  readonly specifiers?: readonly string[];
  /** Folder the specifiers resolve from (the config file's folder). Default: the working directory. */
  readonly baseDir?: string;
}

const PLUGIN_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** The plugins a host knows: built-ins and what a config file adds, each registered once per kind+name. */
export class PluginCatalog implements PluginRegistry {
  private readonly plugins = new Map<string, RegisteredPlugin>();

  /** A catalog filled by {@link PluginCatalog.prototype.discover}. */
  static async discover(options: DiscoverOptions): Promise<PluginCatalog> {
    return new PluginCatalog().discover(options);
  }

  /**
   * Registers a definition. Throws a {@link PluginRegistrationError} when it is not a definition,
   * its name is not kebab-case, it was built for another SDK major, or another plugin of the same
   * kind already has its name. Registering the very same definition again is a no-op.
   */
  register(definition: PluginDefinition, origin: PluginOrigin): RegisteredPlugin {
    const where = describeOrigin(origin);
    if (!isPluginDefinition(definition)) {
      throw new PluginRegistrationError(`${where} provided something that is not a plugin definition (make it with defineSource, defineTransform, defineSink or defineCodec)`);
    }
    const label = `plugin "${definition.name}" from ${where}`;
    if (!PLUGIN_NAME.test(definition.name)) {
      throw new PluginRegistrationError(`${label}: the name must be kebab-case (lower-case letters, digits and single dashes)`);
    }
    const sdkVersion: unknown = definition.sdkVersion;
    if (typeof sdkVersion !== 'string' || Number.isNaN(majorOf(sdkVersion))) {
      throw new PluginRegistrationError(`${label} has no valid sdkVersion: build it with defineSource, defineTransform, defineSink or defineCodec from @sluice/sdk`);
    }
    if (majorOf(sdkVersion) !== majorOf(SDK_VERSION)) {
      throw new PluginRegistrationError(`${label} was built for SDK ${majorOf(sdkVersion)}.x; this host runs SDK ${SDK_VERSION}`);
    }
    const capabilityProblems = capabilityIssues(definition.kind, definition.capabilities);
    if (capabilityProblems.length > 0) throw new PluginRegistrationError(`${label}: ${capabilityProblems.join('; ')}`);
    const key = `${definition.kind}:${definition.name}`;
    const existing = this.plugins.get(key);
    if (existing) {
      if (existing.definition === definition) return existing;
      throw new PluginRegistrationError(
        `duplicate ${definition.kind} plugin "${definition.name}": defined by ${describeOrigin(existing.origin)} and by ${where}`,
      );
    }
    const registered: RegisteredPlugin = { definition, origin };
    this.plugins.set(key, registered);
    return registered;
  }

  get(kind: PluginKind, name: string): RegisteredPlugin | undefined {
    return this.plugins.get(`${kind}:${name}`);
  }

  names(kind: PluginKind): string[] {
    return this.all()
      .filter((p) => p.definition.kind === kind)
      .map((p) => p.definition.name)
      .sort();
  }

  all(): RegisteredPlugin[] {
    return [...this.plugins.values()];
  }

  /**
   * Loads the built-ins, then the plugins the specifiers name, and registers them all. Every
   * built-in and specifier is tried; if any failed, a {@link PluginDiscoveryError} lists every
   * problem (the catalog keeps what did load).
   */
  async discover(options: DiscoverOptions = {}): Promise<this> {
    const { builtinDir = DEFAULT_BUILTIN_DIR, specifiers = [], baseDir = process.cwd() } = options;
    const problems: DiscoveryProblem[] = [];
    const entries: PluginEntry[] = builtinDir === false ? [] : findBuiltinEntries(builtinDir);
    for (const specifier of specifiers) {
      try {
        entries.push(...resolveSpecifier(specifier, baseDir));
      } catch (error) {
        problems.push({ specifier, message: (error as Error).message });
      }
    }
    const loaded = new Set<string>();
    for (const entry of entries) {
      if (loaded.has(entry.file)) continue;
      loaded.add(entry.file);
      const problem = (message: string): DiscoveryProblem => (entry.specifier === undefined ? { message } : { specifier: entry.specifier, message });
      let definitions: PluginDefinition[];
      try {
        definitions = await loadPluginDefinitions(entry.file);
      } catch (error) {
        problems.push(problem((error as Error).message));
        continue;
      }
      for (const definition of definitions) {
        try {
          this.register(definition, entry.origin);
        } catch (error) {
          problems.push(problem((error as Error).message));
        }
      }
    }
    if (problems.length > 0) throw new PluginDiscoveryError(problems);
    return this;
  }
}
