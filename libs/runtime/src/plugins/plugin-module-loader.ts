import { isPluginDefinition, type PluginDefinition } from '@sluice/sdk';
import { pathToFileURL } from 'node:url';
import { PluginResolutionError } from './plugin-discovery-error.js';

/**
 * Imports a plugin module and returns the definitions it exports: the default export (one
 * definition or an array of them) and every named export that is a definition. A module that
 * exports none, or a default array holding something else, is an error.
 */
export async function loadPluginDefinitions(file: string): Promise<PluginDefinition[]> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new PluginResolutionError(`cannot load plugin module ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const found: PluginDefinition[] = [];
  const add = (value: PluginDefinition) => {
    if (!found.includes(value)) found.push(value);
  };
  const fallback = module.default;
  if (Array.isArray(fallback)) {
    fallback.forEach((item, index) => {
      if (!isPluginDefinition(item)) {
        throw new PluginResolutionError(`plugin module ${file}: default export item [${index}] is not a plugin definition (make it with defineSource, defineTransform, defineSink or defineCodec)`);
      }
      add(item);
    });
  } else if (isPluginDefinition(fallback)) {
    add(fallback);
  }
  for (const [name, value] of Object.entries(module)) {
    if (name !== 'default' && isPluginDefinition(value)) add(value);
  }
  if (found.length === 0) {
    throw new PluginResolutionError(
      `plugin module ${file} exports no plugin definition (export default the result of defineSource, defineTransform, defineSink or defineCodec)`,
    );
  }
  return found;
}
