import type { PluginOrigin } from './plugin-registry.js';

/** One thing that went wrong while finding or loading plugins. */
export interface DiscoveryProblem {
  /** The config specifier (npm name or local path) the problem belongs to; absent for built-ins. */
  readonly specifier?: string;
  readonly message: string;
}

/**
 * Thrown by {@link PluginCatalog.discover} after every built-in and specifier was tried: it lists
 * all problems at once. The catalog keeps the plugins that did load.
 */
export class PluginDiscoveryError extends Error {
  readonly problems: readonly DiscoveryProblem[];

  constructor(problems: readonly DiscoveryProblem[]) {
    super(`plugin discovery failed:\n${problems.map((p) => `  - ${p.message}`).join('\n')}`);
    this.name = 'PluginDiscoveryError';
    this.problems = problems;
  }
}

/** A plugin that cannot be registered (wrong SDK major, duplicate name, not a definition...). */
export class PluginRegistrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PluginRegistrationError';
  }
}

/** A specifier or plugin folder that cannot be turned into plugin entry files. */
export class PluginResolutionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PluginResolutionError';
  }
}

/** How an origin reads in messages: `built-in /app/plugins/sql`, `package sluice-plugin-foo (...)`. */
export function describeOrigin(origin: PluginOrigin): string {
  switch (origin.kind) {
    case 'builtin':
      return `built-in ${origin.from}`;
    case 'package':
      return `package ${origin.from}`;
    case 'path':
      return `path ${origin.from}`;
  }
}
