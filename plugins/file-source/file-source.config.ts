import { Field } from '@sluice/sdk';
import { ArrayMinSize, IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';

/** `format: auto`: the codec of each file is the one claiming its extension. */
export const AUTO_FORMAT = 'auto';

export class FileSourceConfig {
  @Field({ description: 'The folder to read files from; a relative path is resolved against the folder of the config file.', example: '../data/raw' })
  @IsString()
  @MinLength(1)
  directory: string;

  @Field({
    description:
      'Glob patterns (picomatch) selecting files by their path relative to `directory`, e.g. `sales/*.csv` or `**/*.jsonl`. Hidden files and folders (name starting with a dot) are never read. Default: every file with an extension of the chosen format (auto: .csv, .json, .jsonl, .ndjson) at any depth.',
    example: ['sales*.csv', 'customers.json'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  include?: string[];

  @Field({ description: 'Glob patterns of files to leave out even when `include` matches them (e.g. `**/*.tmp.csv`).', example: ['archive/**'] })
  @IsArray()
  @IsString({ each: true })
  @MinLength(1, { each: true })
  exclude: string[] = [];

  @Field({
    description:
      'The codec (format) of the files: `auto` (the codec claiming the extension: .csv → csv, .json → json, .jsonl/.ndjson → jsonl; other files are reported as failures), or a codec name such as `csv`, `json` (an array of objects, or one object) or `jsonl` (one object per line). `sluice plugins` lists the codecs.',
    example: 'csv',
  })
  @IsString()
  @MinLength(1)
  format: string = AUTO_FORMAT;

  @Field({
    description: 'Options of the codec named by `format` (not with `auto`), validated by that codec, e.g. `{ delimiter: ";" }` for csv. Default: the codec\'s defaults.',
    example: { delimiter: ';', castNumbers: true },
  })
  @IsOptional()
  @IsObject()
  codec?: Record<string, unknown>;

  @Field({
    description:
      '`once` reads every matching file present at start, then ends the input. `watch` keeps polling `directory` every `pollIntervalMs` for new files and for lines appended to known ones.',
    example: 'watch',
  })
  @IsIn(['once', 'watch'])
  mode: 'once' | 'watch' = 'once';

  @Field({
    description:
      'watch mode: milliseconds between two scans of the directory. It is also the settling time: a JSON file, or a last line without a line break, is read once the file has not changed for this long.',
    example: 2000,
  })
  @IsInt()
  @Min(10)
  @Max(3_600_000)
  pollIntervalMs: number = 1000;

  @Field({ description: 'Largest number of records one read returns (files are streamed in batches of this size).', example: 500 })
  @IsInt()
  @Min(1)
  @Max(100_000)
  batchSize: number = 500;

  @Field({ description: 'Name of a field whose value becomes the record key (as a string). Not set (the default) = records have no key.', example: 'order_id' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  keyField?: string;

  @Field({
    description:
      'Options of the csv codec for CSV files (delimiter, quote, header, columns, castNumbers, emptyAsNull, trim; see the csv codec), with `format: auto` or `csv`. Default: the codec\'s defaults.',
    example: { delimiter: ';', castNumbers: true },
  })
  @IsOptional()
  @IsObject()
  csv?: Record<string, unknown>;

  @Field({
    description:
      'Longest accepted item (a CSV record, a JSONL line) in bytes. A longer one is reported as a failure (its text cut to this length) instead of being held in memory whole.',
    example: 1_048_576,
  })
  @IsInt()
  @Min(64)
  @Max(512 * 1024 * 1024)
  maxLineBytes: number = 1_048_576;

  @Field({ description: 'Largest file, in bytes, of a codec that reads a file as one document (json): such a file is read again whole when it changes, so a bigger one is reported as a failure (convert it to JSONL).', example: 67_108_864 })
  @IsInt()
  @Min(1)
  @Max(512 * 1024 * 1024)
  maxJsonBytes: number = 67_108_864;
}
