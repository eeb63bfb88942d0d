/**
 * jest globalSetup for the integration tests: makes PostgreSQL, Kafka and Cassandra available
 * (starting Kafka/Cassandra with services/services.sh when nothing answers at their configured
 * address) and exports their addresses through process.env for the test workers.
 * SLUICE_TEST_SERVICES (comma list of postgres, kafka, cassandra) narrows the set; a service that
 * is unavailable fails the run, in CI and locally alike.
 *
 * Jest require()s global hooks as CommonJS without moduleNameMapper, so the ESM-style
 * `./services.js` specifier would not resolve to services.ts: the module is loaded by its absolute
 * .ts path instead (jest's transformer compiles it), and typed through a type-only import.
 */
import path from 'node:path';

type ServicesModule = typeof import('./services.js');

export default async function globalSetup(globalConfig: { rootDir: string }, projectConfig?: { rootDir: string }): Promise<void> {
  const rootDir = projectConfig?.rootDir ?? globalConfig.rootDir;
  const services: ServicesModule = await import(path.join(rootDir, 'test', 'setup', 'services.ts'));
  await services.ensureServices(services.parseServiceList(process.env.SLUICE_TEST_SERVICES ?? 'postgres,kafka,cassandra'), {
    rootDir,
  });
}
