import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PluginContext } from '../context.js';
import { silentLogger } from '../logger.js';
import { validateConfig } from '../config-validation.js';
import type { PluginDefinition } from '../plugin.js';

/** Options shared by the harness functions. */
export interface HarnessOptions {
  /** Overrides for the plugin context (logger, configDir, dataDir, ...). */
  readonly context?: Partial<PluginContext>;
}

/** Validates `rawConfig` exactly as the host does and builds a context; throws on config issues. */
export function prepare<D extends PluginDefinition>(definition: D, rawConfig: unknown, options: HarnessOptions = {}) {
  const { config, issues } = validateConfig(definition.config, rawConfig);
  const configDir = options.context?.configDir ?? process.cwd();
  if (issues.length === 0 && definition.validate) issues.push(...definition.validate(config as never, { configDir }));
  if (issues.length > 0) {
    throw new Error(`invalid ${definition.kind} "${definition.name}" config: ${issues.map((i) => `${i.path || '<root>'}: ${i.message}`).join('; ')}`);
  }
  const context: PluginContext = {
    pipeline: 'test',
    stage: definition.kind,
    logger: silentLogger,
    configDir,
    dataDir: options.context?.dataDir ?? mkdtempSync(join(tmpdir(), 'sluice-harness-')),
    ...options.context,
  };
  return { config, context };
}
