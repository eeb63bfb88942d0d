import { Field } from '@sluice/sdk';
import { IsBoolean, IsIn, IsOptional, IsString, MinLength } from 'class-validator';

/** Config of the `file` sink. */
export class FileSinkConfig {
  @Field({
    description:
      'The file records are appended to, one JSON document per line. Relative paths are resolved against the folder of ' +
      'the config file; missing parent folders are created. An existing file is appended to, never truncated.',
    example: 'out/orders.jsonl',
  })
  @IsString()
  @MinLength(1)
  path: string;

  @Field({
    description:
      '`envelope` (default): each line is `{"key", "value", "headers", "timestamp", "origin"}`, everything needed to ' +
      'replay or inspect the record. `value`: each line is only the record value.',
  })
  @IsOptional()
  @IsIn(['envelope', 'value'])
  format: 'envelope' | 'value' = 'envelope';

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
