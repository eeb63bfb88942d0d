import type { CodecUse } from '@sluice/sdk';
import { AUTO_FORMAT, type FileSourceConfig } from './file-source.config.js';

/** The options of codec `name`: `codec` for the codec `format` names, `csv` for the csv codec, else its defaults. */
export function codecOptions(config: Pick<FileSourceConfig, 'format' | 'codec' | 'csv'>, name: string): Record<string, unknown> | undefined {
  if (config.codec !== undefined && name === config.format) return config.codec;
  if (name === 'csv') return config.csv;
  return undefined;
}

/** Where the options of codec `name` are in the config (for messages). */
function optionsPath(config: Pick<FileSourceConfig, 'format' | 'codec' | 'csv'>, name: string): string | undefined {
  if (config.codec !== undefined && name === config.format) return 'codec';
  return name === 'csv' && config.csv !== undefined ? 'csv' : undefined;
}

/**
 * The codecs the config names, for the host to check: the one `format` names; with `auto`, the csv
 * codec when CSV options are given (the others are found per file by extension).
 */
export function fileSourceCodecs(config: FileSourceConfig): CodecUse[] {
  if (config.format === AUTO_FORMAT) {
    return config.csv === undefined ? [] : [{ path: 'format', name: 'csv', optionsPath: 'csv', options: config.csv }];
  }
  return [{ path: 'format', name: config.format, optionsPath: optionsPath(config, config.format), options: codecOptions(config, config.format) }];
}
