import { CodecConfigError, type Codec, type CodecContext, type CodecUse, type Codecs } from './codec.js';
import { didYouMean, validateConfig, type ConfigIssue } from './config-validation.js';
import type { CodecPluginDefinition } from './plugin.js';

function joinPath(parent: string | undefined, child: string): string {
  if (!parent) return child;
  if (!child) return parent;
  return child.startsWith('[') ? `${parent}${child}` : `${parent}.${child}`;
}

/**
 * The codecs of a host (or of a test), by name: what `context.codecs` is. Hosts build one from the
 * codec plugins they discovered; the test harness from the codecs a test passes.
 */
export class CodecSet implements Codecs {
  private readonly byName = new Map<string, CodecPluginDefinition>();

  constructor(
    definitions: readonly CodecPluginDefinition[],
    private readonly context: CodecContext,
  ) {
    for (const definition of definitions) {
      const existing = this.byName.get(definition.name);
      if (existing && existing !== definition) throw new CodecConfigError(`two codecs are named "${definition.name}"`);
      this.byName.set(definition.name, definition);
    }
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  forExtension(extension: string): string | undefined {
    const wanted = extension.toLowerCase();
    return this.names().find((name) => this.extensions(name).includes(wanted));
  }

  extensions(name: string): readonly string[] {
    return (this.byName.get(name)?.extensions ?? []).map((e) => e.toLowerCase());
  }

  create(name: string, options?: unknown): Codec {
    const definition = this.byName.get(name);
    if (!definition) throw new CodecConfigError(this.unknownMessage(name));
    const { config, issues } = this.validateOptions(definition, options);
    if (issues.length > 0) {
      throw new CodecConfigError(`invalid options for codec "${name}": ${issues.map((i) => `${i.path || '<root>'}: ${i.message}`).join('; ')}`);
    }
    return definition.create(config as never, this.context);
  }

  /**
   * Checks the codecs a plugin config names: each must exist, its options must be valid for it, and
   * it must be appendable where the plugin appends. Issue paths are relative to the plugin config.
   */
  check(uses: readonly CodecUse[]): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    for (const use of uses) {
      const definition = this.byName.get(use.name);
      if (!definition) {
        issues.push({ path: use.path, message: this.unknownMessage(use.name) });
        continue;
      }
      const { config, issues: own } = this.validateOptions(definition, use.options);
      for (const issue of own) issues.push({ path: joinPath(use.optionsPath, issue.path), message: issue.message });
      if (own.length > 0 || !use.appending) continue;
      let appendable: boolean;
      try {
        appendable = definition.create(config as never, this.context).appendable;
      } catch (error) {
        issues.push({ path: use.optionsPath ?? use.path, message: `codec "${use.name}" cannot be created: ${error instanceof Error ? error.message : String(error)}` });
        continue;
      }
      if (!appendable) issues.push({ path: use.path, message: `codec "${use.name}" writes one whole document per stream and cannot append to a file written before` });
    }
    return issues;
  }

  private validateOptions(definition: CodecPluginDefinition, options: unknown): { config: object; issues: ConfigIssue[] } {
    const { config, issues } = validateConfig(definition.config, options);
    if (issues.length === 0 && definition.validate) issues.push(...definition.validate(config as never, { configDir: this.context.configDir }));
    return { config, issues };
  }

  private unknownMessage(name: string): string {
    const known = this.names();
    const suggestion = didYouMean(name, known);
    if (suggestion) return `unknown codec "${name}" (did you mean "${suggestion}"?)`;
    return `unknown codec "${name}" (${known.length ? `installed codecs: ${known.join(', ')}` : 'no codecs are installed'})`;
  }
}
