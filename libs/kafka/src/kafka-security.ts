import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { Field } from '@sluice/sdk';
import { IsIn, IsString, MinLength } from 'class-validator';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** SASL authentication: the config class of the `sasl` field of the Kafka transport and of both kafka plugins. */
export class KafkaSaslConfig {
  @Field({ description: 'SASL mechanism: `plain`, `scram-sha-256` or `scram-sha-512`. Use it together with `ssl: true` unless the network is trusted.', example: 'scram-sha-512' })
  @IsIn([...SASL_MECHANISMS])
  mechanism: SaslMechanism;

  @Field({ description: 'SASL user name.', example: 'sluice' })
  @IsString()
  @MinLength(1)
  username: string;

  @Field({ description: 'SASL password. Secret: never logged or shown; use `${KAFKA_PASSWORD}` to keep it out of the file.', example: '${KAFKA_PASSWORD}', secret: true })
  @IsString()
  @MinLength(1)
  password: string;
}

/** How a Kafka client proves who it talks to and who it is: TLS and SASL. */
export interface KafkaSecuritySettings {
  readonly ssl: boolean;
  /** PEM file of the brokers' CA(s); relative paths are read from `configDir`. */
  readonly sslCaFile?: string;
  readonly sslRejectUnauthorized: boolean;
  readonly sasl?: KafkaSaslConfig;
}

/** The kafkajs `ssl` and `sasl` options of these settings. Reads the CA file; throws naming it when it cannot. */
export function kafkaSecurityOptions(settings: KafkaSecuritySettings, configDir: string): { ssl: KafkaConfig['ssl']; sasl?: SASLOptions } {
  let ssl: KafkaConfig['ssl'] = false;
  if (settings.ssl) {
    ssl = { rejectUnauthorized: settings.sslRejectUnauthorized };
    if (settings.sslCaFile !== undefined) {
      const file = isAbsolute(settings.sslCaFile) ? settings.sslCaFile : resolve(configDir, settings.sslCaFile);
      try {
        ssl.ca = [readFileSync(file, 'utf8')];
      } catch (error) {
        throw new Error(`cannot read sslCaFile ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
  }
  if (!settings.sasl) return { ssl };
  const { mechanism, username, password } = settings.sasl;
  return { ssl, sasl: { mechanism, username, password } as SASLOptions };
}

/** Settings that only make sense together (paths relative to the settings' own section). */
export function securityIssues(settings: KafkaSecuritySettings): Array<{ path: string; message: string }> {
  const issues: Array<{ path: string; message: string }> = [];
  if (!settings.ssl && settings.sslCaFile !== undefined) issues.push({ path: 'sslCaFile', message: 'only applies with ssl: true' });
  if (!settings.ssl && settings.sslRejectUnauthorized === false) issues.push({ path: 'sslRejectUnauthorized', message: 'only applies with ssl: true' });
  return issues;
}

/** Replaces every occurrence of the configured secrets (the SASL password) in a text. */
export function secretScrubber(settings: Pick<KafkaSecuritySettings, 'sasl'>): (text: string) => string {
  const secrets = [settings.sasl?.password].filter((s): s is string => typeof s === 'string' && s.length > 0);
  return (text) => secrets.reduce((out, secret) => out.split(secret).join('***'), text);
}
