import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PluginContext } from '../context.js';
import { silentLogger } from '../logger.js';
import { validateConfig } from '../config-validation.js';
import { CodecSet } from '../codec-set.js';
import type { CodecPluginDefinition, SinkPluginDefinition, SourcePluginDefinition, TransformPluginDefinition } from '../plugin.js';

/** Options shared by the harness functions. */
export interface HarnessOptions {
  /** Overrides for the plugin context (logger, configDir, dataDir, ...). */
  readonly context?: Partial<PluginContext>;
  /**
   * The codecs the plugin can use (`context.codecs`), e.g. the built-in `csv`, `json` and `jsonl`
   * definitions. Codecs its config names are checked as the host checks them. Default: none.
   */
  readonly codecs?: readonly CodecPluginDefinition[];
}

/** Validates `rawConfig` exactly as the host does (codecs it names included) and builds a context; throws on config issues. */
export function prepare<D extends SourcePluginDefinition | TransformPluginDefinition | SinkPluginDefinition>(definition: D, rawConfig: unknown, options: HarnessOptions = {}) {
  const { config, issues } = validateConfig(definition.config, rawConfig);
  const configDir = options.context?.configDir ?? process.cwd();
  const logger = options.context?.logger ?? silentLogger;
  const codecs = options.context?.codecs ?? new CodecSet(options.codecs ?? [], { configDir, logger });
  if (issues.length === 0 && definition.validate) issues.push(...definition.validate(config as never, { configDir }));
  if (issues.length === 0 && definition.codecsUsed && codecs instanceof CodecSet) issues.push(...codecs.check(definition.codecsUsed(config as never)));
  if (issues.length > 0) {
    throw new Error(`invalid ${definition.kind} "${definition.name}" config: ${issues.map((i) => `${i.path || '<root>'}: ${i.message}`).join('; ')}`);
  }
  const context: PluginContext = {
    pipeline: 'test',
    stage: definition.kind,
    logger,
    configDir,
    dataDir: options.context?.dataDir ?? mkdtempSync(join(tmpdir(), 'sluice-harness-')),
    ...options.context,
    codecs,
  };
  return { config, context };
}
