import { Field } from '@sluice/sdk';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, MinLength } from 'class-validator';

/** What is written for each record. */
export type WrittenPart = 'envelope' | 'value';

/** The formats of older configs: JSON lines of the whole record, or of its value. */
export const LEGACY_FORMATS: readonly string[] = ['envelope', 'value'];

/** Config of the `file` sink. */
export class FileSinkConfig {
  @Field({
    description:
      'The file records are appended to. Relative paths are resolved against the folder of ' +
      'the config file; missing parent folders are created. An existing file is appended to, never truncated.',
    example: 'out/orders.jsonl',
  })
  @IsString()
  @MinLength(1)
  path: string;

  @Field({
    description:
      'The codec records are written with: `jsonl` (default: one JSON document per line), `csv` (a header row in a new file, then one row per record), ' +
      'or another codec that can append. `envelope` and `value` (older configs) mean `jsonl` with `write: envelope` / `write: value`.',
    example: 'csv',
  })
  @IsString()
  @MinLength(1)
  format: string = 'jsonl';

  @Field({
    description:
      '`envelope`: each record is written as `{"key", "value", "headers", "timestamp", "origin"}`, everything needed to ' +
      'replay or inspect it. `value`: only the record value. Default: `envelope` with jsonl, `value` with other codecs.',
    example: 'value',
  })
  @IsOptional()
  @IsIn(['envelope', 'value'])
  write?: WrittenPart;

  @Field({ description: 'Options of the codec `format` names, validated by that codec, e.g. `{ delimiter: ";" }` for csv. Default: its defaults.', example: { delimiter: ';' } })
  @IsOptional()
  @IsObject()
  codec?: Record<string, unknown>;

  @Field({
    description:
      'Flush every batch to disk (fsync) before acknowledging it, so an acknowledged record survives a power loss. ' +
      'On by default: the dead-letter destination relies on it. Off, a write is acknowledged once the operating system ' +
      'has the data, which survives a process crash but not an OS crash.',
  })
  @IsOptional()
  @IsBoolean()
  fsync = true;
}

/** The codec and the part of each record the config asks for, the older `format: envelope | value` included. */
export function fileSinkOutput(config: Pick<FileSinkConfig, 'format' | 'write'>): { readonly codec: string; readonly write: WrittenPart } {
  if (LEGACY_FORMATS.includes(config.format)) return { codec: 'jsonl', write: config.format as WrittenPart };
  return { codec: config.format, write: config.write ?? (config.format === 'jsonl' ? 'envelope' : 'value') };
}
