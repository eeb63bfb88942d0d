import type { Environment } from './interpolation.js';

/**
 * Environment variables that win over the config file (handy in containers):
 * - `SLUICE_HTTP_PORT` → http.port, `SLUICE_HTTP_HOST` → http.host, `SLUICE_TOKEN` → http.token;
 * - `KAFKA_BROKERS` (comma-separated host:port list) → transport.brokers when transport.kind is kafka.
 * An empty variable counts as unset.
 */
export interface EnvOverrides {
  readonly port?: number;
  readonly host?: string;
  readonly token?: string;
  readonly brokers?: string[];
}

export const ENV_OVERRIDE_NAMES = ['SLUICE_HTTP_PORT', 'SLUICE_HTTP_HOST', 'SLUICE_TOKEN', 'KAFKA_BROKERS'] as const;

/** Reads the overrides; a malformed value is a problem (its value is not repeated: it may be secret). */
export function readEnvOverrides(env: Environment): { overrides: EnvOverrides; problems: Array<{ path: string; message: string }> } {
  const problems: Array<{ path: string; message: string }> = [];
  const value = (name: (typeof ENV_OVERRIDE_NAMES)[number]) => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  };
  const overrides: { -readonly [K in keyof EnvOverrides]: EnvOverrides[K] } = {};

  const port = value('SLUICE_HTTP_PORT');
  if (port !== undefined) {
    if (/^\d+$/.test(port) && Number(port) <= 65535) overrides.port = Number(port);
    else problems.push({ path: 'http.port', message: 'SLUICE_HTTP_PORT must be a whole number from 0 to 65535' });
  }
  const host = value('SLUICE_HTTP_HOST');
  if (host !== undefined) overrides.host = host;
  const token = env.SLUICE_TOKEN;
  if (token !== undefined && token !== '') overrides.token = token;
  const brokers = value('KAFKA_BROKERS');
  if (brokers !== undefined) {
    const list = brokers.split(',').map((b) => b.trim());
    if (list.every((b) => b !== '')) overrides.brokers = list;
    else problems.push({ path: 'transport.brokers', message: 'KAFKA_BROKERS must be a comma-separated list of host:port without empty entries' });
  }
  return { overrides, problems };
}
