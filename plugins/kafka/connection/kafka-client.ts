import { kafkaSecurityOptions, registerCompressionCodecs, secretScrubber } from '@sluice/kafka';
import { describeError, RecordError, type PluginContext, type PluginLogger } from '@sluice/sdk';
import { logLevel, type KafkaConfig, type logCreator } from 'kafkajs';
import type { KafkaConnectionSettings } from './kafka-connection.js';

/* kafkajs client settings from a plugin's connection fields (shared by the `kafka` source and sink). */

/**
 * kafkajs's production retry policy, spelled out: kafkajs picks a much faster one (15 retries,
 * 1 s cap) whenever NODE_ENV is "test", which would make tests behave unlike production.
 */
export const RETRY_POLICY = { initialRetryTime: 300, maxRetryTime: 30_000, factor: 0.2, multiplier: 2 } as const;

/**
 * Routes kafkajs's own log lines to the plugin logger. kafkajs reports at ERROR level the protocol
 * errors it recovers from by itself (a rebalance answering a heartbeat, the group coordinator still
 * loading), so its ERROR and WARN lines become warnings here; the plugins log real failures
 * (a crashed consumer, a failed write) themselves, at error level. kafkajs INFO lines are debug
 * here. Stacks are dropped, errors become their message, secrets are scrubbed.
 */
export function kafkaLogCreator(logger: PluginLogger, scrub: (text: string) => string): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _logger, stack: _stack, ...extra } = log;
      const fields: Record<string, unknown> = { kafkajs: namespace };
      for (const [key, value] of Object.entries(extra)) {
        if (value instanceof Error) fields[key] = scrub(describeError(value));
        else if (typeof value === 'string') fields[key] = scrub(value);
        else fields[key] = value;
      }
      const text = `kafkajs: ${scrub(String(message))}`;
      if (level === logLevel.ERROR || level === logLevel.WARN) logger.warn(fields, text);
      else logger.debug(fields, text);
    };
}

/**
 * The kafkajs client config; reads the CA file (relative to the config file's folder). Registers the
 * compression codecs every client of the process reads and writes with (once).
 */
export function kafkaClientConfig(settings: KafkaConnectionSettings, context: Pick<PluginContext, 'configDir' | 'logger'>): KafkaConfig {
  registerCompressionCodecs();
  let security: ReturnType<typeof kafkaSecurityOptions>;
  try {
    security = kafkaSecurityOptions(settings, context.configDir);
  } catch (error) {
    throw new RecordError(`kafka: ${describeError(error)}`, { retryable: true, cause: error });
  }
  return {
    brokers: [...settings.brokers],
    clientId: settings.clientId,
    connectionTimeout: settings.connectionTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    retry: { ...RETRY_POLICY, retries: settings.retries },
    ...security,
    logLevel: logLevel.INFO,
    logCreator: kafkaLogCreator(context.logger, secretScrubber(settings)),
  };
}

/** The kafkajs error type (`MESSAGE_TOO_LARGE`, ...) of an error or of one of its causes. */
export function kafkaErrorType(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 8; depth++) {
    const type = (current as { type?: unknown }).type;
    if (typeof type === 'string' && type.length > 0) return type;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
