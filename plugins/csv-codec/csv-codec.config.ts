import { Field, type ConfigIssue } from '@sluice/sdk';
import { ArrayMinSize, IsArray, IsBoolean, IsOptional, IsString, Length, MinLength } from 'class-validator';

/** Options of the `csv` codec: how CSV is read and written. */
export class CsvCodecConfig {
  @Field({ description: 'The single character between fields.', example: ';' })
  @IsString()
  @Length(1, 1)
  delimiter: string = ',';

  @Field({ description: 'The single character that quotes fields holding delimiters, quotes or line breaks; a quote inside a quoted field is doubled.', example: '"' })
  @IsString()
  @Length(1, 1)
  quote: string = '"';

  @Field({
    description:
      'The first row holds the column names: read from it when decoding, written first when encoding (with the fields of the first value). Set to false for data without a header row, and give `columns`.',
    example: true,
  })
  @IsBoolean()
  header: boolean = true;

  @Field({ description: 'Column names for data without a header row (`header: false`), in order: the names of the decoded fields, and the fields written when encoding.', example: ['order_id', 'customer_id', 'amount'] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  columns?: string[];

  @Field({
    description:
      'Decoding: turn fields that are plain decimal numbers (`42`, `-3.5`, `1e3`) into JSON numbers. Numbers with leading zeros (`007`) and integers beyond 2^53 stay strings, so ids and codes are not mangled. Default false: every field is a string.',
    example: true,
  })
  @IsBoolean()
  castNumbers: boolean = false;

  @Field({ description: 'Decoding: turn empty fields into null instead of "".', example: true })
  @IsBoolean()
  emptyAsNull: boolean = false;

  @Field({ description: 'Decoding: remove spaces and tabs around fields (outside quotes).', example: true })
  @IsBoolean()
  trim: boolean = false;
}

const isLineBreak = (c: string) => c === '\n' || c === '\r';

/** Checks across the CSV options that decorators cannot express. */
export function validateCsvOptions(config: CsvCodecConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (config.delimiter === config.quote) issues.push({ path: 'quote', message: `must differ from delimiter ("${config.delimiter}")` });
  if (isLineBreak(config.delimiter) || isLineBreak(config.quote)) {
    issues.push({ path: isLineBreak(config.delimiter) ? 'delimiter' : 'quote', message: 'cannot be a line break' });
  }
  if (!config.header && !config.columns) issues.push({ path: 'columns', message: 'is required when header is false (the data has no row naming the columns)' });
  if (config.header && config.columns) issues.push({ path: 'columns', message: 'only applies with header: false (with a header row, the names come from the data)' });
  if (config.columns) {
    const columns = config.columns;
    const duplicate = columns.find((name, i) => columns.indexOf(name) !== i);
    if (duplicate !== undefined) issues.push({ path: 'columns', message: `"${duplicate}" appears twice` });
  }
  return issues;
}
