import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import type { Logger } from 'pino';
import type { SluiceConfig, SluiceRuntime } from '#runtime';
import { EmbeddedServer } from '#transports';
import { SLUICE_RUNTIME } from '#health';
import { PinoNestLogger } from './pino-nest-logger.js';
import { SluiceHostModule } from './sluice-host.module.js';

export interface SluiceHost {
  readonly app: INestApplication;
  readonly runtime: SluiceRuntime;
  /** The address the HTTP server listens on, e.g. `http://127.0.0.1:3000` (null when disabled). */
  readonly url: string | null;
  close(): Promise<void>;
}

/**
 * Boots the host for a config: the transport's microservice strategy, the HTTP endpoints, then the
 * pipelines (started by the runtime lifecycle). `handleSignals` installs SIGTERM/SIGINT handling
 * that drains the pipelines before the process exits.
 */
export async function createHost(config: SluiceConfig, logger: Logger, options: { handleSignals?: boolean; processMetrics?: boolean } = {}): Promise<SluiceHost> {
  const app = await NestFactory.create(SluiceHostModule.forRoot({ config, logger, processMetrics: options.processMetrics }), {
    logger: new PinoNestLogger(logger.child({ component: 'nest' })),
    bufferLogs: false,
  });
  if (config.transport.kind === 'embedded') {
    app.connectMicroservice({ strategy: app.get(EmbeddedServer) }, { inheritAppConfig: true });
    await app.startAllMicroservices();
  }
  let url: string | null = null;
  try {
    if (config.http.enabled) {
      await app.listen(config.http.port, config.http.host);
      const address = app.getHttpServer().address() as { port: number } | null;
      url = `http://${config.http.host}:${address?.port ?? config.http.port}`;
      logger.info({ address: url }, 'HTTP endpoints ready: /health/live /health/ready /metrics /api/pipelines /api/jobs');
    } else {
      await app.init();
    }
  } catch (error) {
    // The pipelines and jobs may already run (the port was taken, a job could not be scheduled):
    // stop them, so that a host that failed to start does not keep working in the background.
    await app.close().catch((closeError: unknown) => logger.error({ err: closeError instanceof Error ? closeError.message : String(closeError) }, 'closing after a failed start failed'));
    throw error;
  }
  const runtime = app.get<SluiceRuntime>(SLUICE_RUNTIME);
  if (options.handleSignals) exitOnSignals(app, logger);
  return { app, runtime, url, close: () => app.close() };
}

/**
 * SIGTERM/SIGINT: close the app, which drains the pipelines (RuntimeLifecycle), then exit 0. A
 * second signal while draining exits at once with 130: whatever was not acknowledged by then is
 * not committed, so it is read again on the next start (at-least-once), never lost.
 */
function exitOnSignals(app: INestApplication, logger: Logger): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn({ signal }, 'second signal: exiting without finishing the drain');
      process.exit(130);
    }
    closing = true;
    logger.info({ signal }, 'shutdown requested: draining');
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error instanceof Error ? error.message : String(error) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
