import { didYouMean, validateConfig, type ConfigIssue, type PluginDefinition, type PluginKind } from '@sluice/sdk';
import { codecDefinitions, codecSetFor, type StageCodecs } from '../plugins/plugin-codecs.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import { formatPath, parsePath, withoutRedundantIssues, type ConfigFileIssue, type PathSegment } from './config-issues.js';
import type { StageConfig, StageTimeouts } from './sluice-config.js';
import { DEFAULT_STAGE_TIMEOUTS } from './stage-timeouts.js';
import type { YamlSource } from './yaml-source.js';

/** What resolving the stages of a config file needs. */
export interface StageResolution {
  readonly registry: PluginRegistry;
  readonly source: YamlSource;
  /** Folder of the config file, handed to plugins' `validate` hooks. */
  readonly configDir: string;
  /** Where issues are collected. */
  readonly issues: ConfigFileIssue[];
}

const KINDS: readonly PluginKind[] = ['source', 'transform', 'sink'];

function unknownPluginMessage(resolution: StageResolution, kind: PluginKind, name: string, path: readonly PathSegment[]): string {
  const known = resolution.registry.names(kind);
  // A name that came from an environment variable is not repeated.
  const quoted = resolution.source.isInterpolated([...path, 'plugin']) ? '(its name comes from an environment variable)' : `"${name}"`;
  const suggestion = didYouMean(name, known);
  if (suggestion) return `unknown ${kind} plugin ${quoted} (did you mean "${suggestion}"?)`;
  const otherKind = KINDS.find((k) => k !== kind && resolution.registry.get(k, name));
  if (otherKind) return `unknown ${kind} plugin ${quoted}: "${name}" is a ${otherKind} plugin`;
  return `unknown ${kind} plugin ${quoted} (${known.length ? `installed ${kind} plugins: ${known.join(', ')}` : `no ${kind} plugins are installed`})`;
}

function reportPluginIssues(resolution: StageResolution, configPath: readonly PathSegment[], issues: readonly ConfigIssue[], prefix = ''): void {
  for (const issue of issues) {
    resolution.issues.push(resolution.source.issue([...configPath, ...parsePath(issue.path)], `${prefix}${issue.message}`));
  }
}

/**
 * Validates a definition's config exactly as the host runs it: the SDK's `validateConfig` against
 * the plugin's config class, then (when that passed) the plugin's own `validate` hook. Issues are
 * reported under `configPath`; returns the validated config when there were none.
 */
function validatePluginConfig(
  resolution: StageResolution,
  definition: PluginDefinition,
  rawConfig: unknown,
  configPath: readonly PathSegment[],
  prefix = '',
): object | undefined {
  const validation = validateConfig(definition.config, rawConfig);
  const { config } = validation;
  const issues = withoutRedundantIssues(validation.issues);
  if (issues.length === 0 && definition.validate) {
    try {
      issues.push(...definition.validate(config as never, { configDir: resolution.configDir }));
    } catch (error) {
      issues.push({ path: '', message: `the ${definition.kind} plugin "${definition.name}" failed to check its config: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  if (issues.length === 0 && definition.kind !== 'codec' && definition.codecsUsed) {
    // The codecs the config names must exist and accept their options, as the plugin will ask for them.
    try {
      issues.push(...codecSetFor(codecDefinitions(resolution.registry), resolution.configDir).check(definition.codecsUsed(config as never)));
    } catch (error) {
      issues.push({ path: '', message: `the ${definition.kind} plugin "${definition.name}" failed to name its codecs: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  reportPluginIssues(resolution, configPath, issues, prefix);
  return issues.length === 0 ? config : undefined;
}

/**
 * Resolves one stage (`{ plugin, config }` at `path`) to its plugin of `kind` and validated config.
 * Problems go to `resolution.issues`; returns undefined when there were any. A stage whose `plugin`
 * is not a non-empty string was already reported by the file schema and is skipped.
 */
export function resolveStage(resolution: StageResolution, kind: PluginKind, stageName: string, path: readonly PathSegment[], raw: unknown): StageConfig | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const { plugin, config: rawConfig } = raw as { plugin?: unknown; config?: unknown };
  if (typeof plugin !== 'string' || plugin.trim() === '') return undefined;
  const registered = resolution.registry.get(kind, plugin);
  if (!registered) {
    resolution.issues.push(resolution.source.issue([...path, 'plugin'], unknownPluginMessage(resolution, kind, plugin, path)));
    return undefined;
  }
  const config = validatePluginConfig(resolution, registered.definition, rawConfig, [...path, 'config']);
  const { startTimeoutMs, writeTimeoutMs, channel } = raw as { startTimeoutMs?: unknown; writeTimeoutMs?: unknown; channel?: unknown };
  if (writeTimeoutMs !== undefined && kind !== 'sink') {
    resolution.issues.push(resolution.source.issue([...path, 'writeTimeoutMs'], `applies to sinks only, not to a ${kind} stage`));
    return undefined;
  }
  if (channel !== undefined && kind === 'source') {
    resolution.issues.push(resolution.source.issue([...path, 'channel'], 'a source has no channel before it: set `channel: true` on the stage that should read from a channel'));
    return undefined;
  }
  if (!config) return undefined;
  const stage: StageConfig & StageCodecs = { name: stageName, plugin, definition: registered.definition, config, path: formatPath(path), timeouts: stageTimeouts(startTimeoutMs, writeTimeoutMs), ...(channel === true ? { channel: true } : {}), codecs: codecDefinitions(resolution.registry) };
  return stage;
}

/** The default dead-letter plugin: the `file` sink. */
export const DEFAULT_DEAD_LETTER_PLUGIN = 'file';

/**
 * The dead-letter stage of a pipeline that configures none: the `file` sink writing
 * `<dataDir>/dlq/<pipeline>.jsonl`. Reported at the pipeline when that sink is missing or refuses
 * the config.
 */
export function defaultDeadLetter(
  resolution: StageResolution,
  pipelinePath: readonly PathSegment[],
  fallback: { readonly plugin: string; readonly config: Record<string, unknown> },
): StageConfig | undefined {
  const path = [...pipelinePath, 'deadLetter'];
  const registered = resolution.registry.get('sink', fallback.plugin);
  if (!registered) {
    resolution.issues.push(
      resolution.source.issue(path, `no deadLetter is configured and the default dead-letter sink "${fallback.plugin}" is not installed: configure deadLetter with a sink plugin`),
    );
    return undefined;
  }
  const config = validatePluginConfig(resolution, registered.definition, fallback.config, [...path, 'config'], `default dead-letter sink "${fallback.plugin}": `);
  if (!config) return undefined;
  const stage: StageConfig & StageCodecs = { name: 'deadLetter', plugin: fallback.plugin, definition: registered.definition, config, path: formatPath(path), timeouts: stageTimeouts(undefined, undefined), codecs: codecDefinitions(resolution.registry) };
  return stage;
}

/** A stage's timeouts: what it sets (the file schema checked the numbers), else the defaults. */
function stageTimeouts(startTimeoutMs: unknown, writeTimeoutMs: unknown): StageTimeouts {
  return {
    startMs: typeof startTimeoutMs === 'number' ? startTimeoutMs : DEFAULT_STAGE_TIMEOUTS.startMs,
    writeMs: typeof writeTimeoutMs === 'number' ? writeTimeoutMs : DEFAULT_STAGE_TIMEOUTS.writeMs,
  };
}
