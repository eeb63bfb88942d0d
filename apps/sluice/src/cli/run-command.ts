import { resolve } from 'node:path';
import { createLogger, loadConfig } from '#runtime';
import { createHost } from '../host/create-host.js';
import { reportConfigError } from './report-config-error.js';

/** `sluice run [config]`: loads and validates the config, then runs its pipelines until SIGTERM/SIGINT. */
export async function runCommand(configPath: string): Promise<number> {
  const file = resolve(configPath);
  let config;
  try {
    config = await loadConfig(file);
  } catch (error) {
    return reportConfigError(error);
  }
  const logger = createLogger(config.log);
  logger.info({ config: file, pipelines: config.pipelines.map((p) => p.name), transport: config.transport.kind, dataDir: config.dataDir }, 'starting sluice');
  try {
    await createHost(config, logger, { handleSignals: true });
  } catch (error) {
    logger.fatal({ err: error instanceof Error ? error.message : String(error) }, 'sluice failed to start');
    await new Promise<void>((done) => logger.flush(() => done()));
    return 1;
  }
  // Keep running, also once every finite source ended and nothing else holds the event loop (no
  // HTTP server): the shutdown hooks drain the pipelines and end the process on SIGTERM/SIGINT.
  setInterval(() => undefined, 2 ** 30);
  return new Promise<number>(() => undefined);
}
