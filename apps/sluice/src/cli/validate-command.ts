import { resolve } from 'node:path';
import { loadConfig, type SluiceConfig } from '#runtime';
import { reportConfigError } from './report-config-error.js';

/**
 * One line per pipeline: its stages' plugins in order, e.g. `  orders: generator -> map -> sql
 * (dead letters: file)`; a pipeline with routes lists them, each with its condition and stages.
 */
export function pipelineSummary(config: SluiceConfig): string {
  return config.pipelines
    .map((p) => {
      const chain = [p.source, ...p.transforms].map((s) => s.plugin).join(' -> ');
      const sinks = p.routes
        ? `routes [${p.routes.map((r) => `${r.name}${r.when ? ` when ${r.when}` : ''}: ${[...r.transforms, r.sink].map((s) => s.plugin).join(' -> ')}`).join('; ')}]`
        : p.sink.plugin;
      return `  ${p.name}: ${chain} -> ${sinks} (dead letters: ${p.deadLetter.plugin})`;
    })
    .join('\n');
}

/** `sluice validate <config>`: exit 0 when the whole file is valid, 2 with every problem otherwise. */
export async function validateCommand(configPath: string): Promise<number> {
  const file = resolve(configPath);
  try {
    const config = await loadConfig(file);
    process.stdout.write(`${configPath}: OK, ${config.pipelines.length} pipeline(s) on the ${config.transport.kind} transport\n${pipelineSummary(config)}\n`);
    return 0;
  } catch (error) {
    return reportConfigError(error);
  }
}
