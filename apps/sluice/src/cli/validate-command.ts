import { resolve } from 'node:path';
import { loadConfig } from '#runtime';
import { reportConfigError } from './report-config-error.js';

/** `sluice validate <config>`: exit 0 when the whole file is valid, 2 with every problem otherwise. */
export async function validateCommand(configPath: string): Promise<number> {
  const file = resolve(configPath);
  try {
    const config = await loadConfig(file);
    const summary = config.pipelines
      .map((p) => `  ${p.name}: ${[p.source, ...p.transforms, p.sink].map((s) => s.plugin).join(' -> ')} (dead letters: ${p.deadLetter.plugin})`)
      .join('\n');
    process.stdout.write(`${configPath}: OK, ${config.pipelines.length} pipeline(s) on the ${config.transport.kind} transport\n${summary}\n`);
    return 0;
  } catch (error) {
    return reportConfigError(error);
  }
}
