import { Field } from '@sluice/sdk';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Max, Min, MinLength, ValidateNested } from 'class-validator';

export const FILE_FORMATS = ['auto', 'csv', 'json', 'jsonl'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

/** How CSV files are read. */
export class CsvOptionsConfig {
  @Field({ description: 'The single character between fields.', example: ';' })
  @IsString()
  @Length(1, 1)
  delimiter: string = ',';

  @Field({ description: 'The single character that quotes fields holding delimiters, quotes or line breaks; a quote inside a quoted field is doubled.', example: '"' })
  @IsString()
  @Length(1, 1)
  quote: string = '"';

  @Field({ description: 'The first row holds the column names. Set to false for files without a header row, and give `columns`.', example: true })
  @IsBoolean()
  header: boolean = true;

  @Field({ description: 'Column names for files without a header row (`header: false`), in file order.', example: ['order_id', 'customer_id', 'amount'] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  columns?: string[];

  @Field({
    description:
      'Turn fields that are plain decimal numbers (`42`, `-3.5`, `1e3`) into JSON numbers. Numbers with leading zeros (`007`) and integers beyond 2^53 stay strings, so ids and codes are not mangled. Default false: every field is a string.',
    example: true,
  })
  @IsBoolean()
  castNumbers: boolean = false;

  @Field({ description: 'Turn empty fields into null instead of "".', example: true })
  @IsBoolean()
  emptyAsNull: boolean = false;

  @Field({ description: 'Remove spaces and tabs around fields (outside quotes).', example: true })
  @IsBoolean()
  trim: boolean = false;
}

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
      'File format: `auto` (from the extension: .csv → csv, .json → json, .jsonl/.ndjson → jsonl; other files are reported as failures), `csv`, `json` (an array of objects, or one object) or `jsonl` (one object per line).',
    example: 'csv',
  })
  @IsIn([...FILE_FORMATS])
  format: FileFormat = 'auto';

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

  @Field({ description: 'Largest number of records one read returns (CSV and JSONL files are streamed in batches of this size).', example: 500 })
  @IsInt()
  @Min(1)
  @Max(100_000)
  batchSize: number = 500;

  @Field({ description: 'Name of a field whose value becomes the record key (as a string). Not set (the default) = records have no key.', example: 'order_id' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  keyField?: string;

  @Field({ description: 'CSV options (delimiter, quote, header, casting).', nested: () => CsvOptionsConfig })
  @ValidateNested()
  @Type(() => CsvOptionsConfig)
  csv: CsvOptionsConfig = new CsvOptionsConfig();

  @Field({
    description:
      'Longest accepted line (a CSV record or a JSONL line) in bytes. A longer one is reported as a failure (its text cut to this length) instead of being held in memory whole.',
    example: 1_048_576,
  })
  @IsInt()
  @Min(64)
  @Max(512 * 1024 * 1024)
  maxLineBytes: number = 1_048_576;

  @Field({ description: 'Largest JSON (not JSONL) file, in bytes, parsed whole; a bigger one is reported as a failure (convert it to JSONL).', example: 67_108_864 })
  @IsInt()
  @Min(1)
  @Max(512 * 1024 * 1024)
  maxJsonBytes: number = 67_108_864;
}
