/** The logger a plugin receives. Structured: pass fields first, then the message. */
export interface PluginLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  debug(message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  info(message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  warn(message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
  error(message: string): void;
}

/** A logger that discards everything (for tests and tools). */
export const silentLogger: PluginLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
