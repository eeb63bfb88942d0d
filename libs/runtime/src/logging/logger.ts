import pino, { type Logger } from 'pino';
import type { LogConfig } from '../config/sluice-config.js';

/**
 * The host's logger: JSON lines (pino) carrying `pipeline` and `stage` on every line of a stage;
 * human-readable through pino-pretty when stdout is a terminal (or `log.pretty: true`).
 */
export function createLogger(config: LogConfig, destination?: pino.DestinationStream): Logger {
  const pretty = config.pretty ?? Boolean(process.stdout.isTTY);
  const options: pino.LoggerOptions = {
    level: config.level,
    base: { app: 'sluice' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['token', '*.token', 'password', '*.password', 'url', '*.url'], censor: '<redacted>' },
  };
  if (destination) return pino(options, destination);
  if (pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,app' } } });
  }
  return pino(options);
}
