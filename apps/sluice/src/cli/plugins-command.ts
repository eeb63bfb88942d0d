import { resolve } from 'node:path';
import { declaredCapabilities, describeConfig } from '@sluice/sdk';
import { PluginCatalog } from '#runtime';
import { renderPluginsMarkdown, renderPluginsText } from './plugin-docs.js';

export interface PluginsCommandOptions {
  readonly json?: boolean;
  readonly markdown?: boolean;
  /** Extra plugin specifiers (npm names, local paths) to list besides the built-ins. */
  readonly with?: readonly string[];
}

/** `sluice plugins`: every plugin the host can load (sources, transforms, sinks and codecs), with its config docs. */
export async function pluginsCommand(options: PluginsCommandOptions): Promise<number> {
  const catalog = await PluginCatalog.discover({ specifiers: [...(options.with ?? [])], baseDir: resolve('.') });
  const plugins = catalog.all().sort((a, b) => `${a.definition.kind}:${a.definition.name}`.localeCompare(`${b.definition.kind}:${b.definition.name}`));
  if (options.json) {
    const doc = plugins.map(({ definition, origin }) => ({
      kind: definition.kind,
      name: definition.name,
      version: definition.version,
      description: definition.description,
      origin,
      ...(definition.kind === 'codec' ? { extensions: definition.extensions ?? [] } : {}),
      capabilities: declaredCapabilities(definition.capabilities),
      config: describeConfig(definition.config),
      examples: definition.examples ?? [],
    }));
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else if (options.markdown) {
    process.stdout.write(renderPluginsMarkdown(plugins));
  } else {
    process.stdout.write(renderPluginsText(plugins));
  }
  return 0;
}
