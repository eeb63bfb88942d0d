/**
 * jest globalTeardown: stops the services that globalSetup started, never ones it found running.
 * (Loaded like global-setup.ts: by absolute path, see there.)
 */
import path from 'node:path';

type ServicesModule = typeof import('./services.js');

export default async function globalTeardown(globalConfig: { rootDir: string }, projectConfig?: { rootDir: string }): Promise<void> {
  const rootDir = projectConfig?.rootDir ?? globalConfig.rootDir;
  const services: ServicesModule = await import(path.join(rootDir, 'test', 'setup', 'services.ts'));
  await services.stopStartedServices({ rootDir });
}
