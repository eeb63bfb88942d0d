import { Field } from '@sluice/sdk';
import { ArrayMinSize, IsArray, IsIn, IsInt, IsISO8601, IsNumber, IsObject, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';

/** The value kinds a generated field can have. */
export const FIELD_TYPES = ['sequence', 'uuid', 'int', 'float', 'string', 'pick', 'timestamp', 'bool', 'constant'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/**
 * How one field of the generated records is made. Written in a pipeline file as a map entry
 * `name: { type: int, min: 1, max: 10 }`, or just `name: uuid` when the type needs no options.
 * Only the options of the chosen type are accepted (see {@link OPTIONS_BY_TYPE}).
 */
export class GeneratorFieldSpec {
  @Field({ description: 'What kind of value the field holds: sequence, uuid, int, float, string, pick, timestamp, bool or constant.', example: 'int' })
  @IsIn([...FIELD_TYPES])
  type: FieldType;

  @Field({ description: 'sequence: the value of the first record (sequence number 0). Default 0.', example: 1 })
  @IsOptional()
  @IsNumber()
  start?: number;

  @Field({ description: 'sequence: how much the value grows from one record to the next. Default 1.', example: 1 })
  @IsOptional()
  @IsNumber()
  step?: number;

  @Field({ description: 'int/float: the smallest value (inclusive). Default 0.', example: 1 })
  @IsOptional()
  @IsNumber()
  min?: number;

  @Field({ description: 'int: the largest value (inclusive); float: the upper bound (exclusive). Default 1000 for int, 1 for float.', example: 100 })
  @IsOptional()
  @IsNumber()
  max?: number;

  @Field({ description: 'float: digits kept after the decimal point. Default 2.', example: 2 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(15)
  decimals?: number;

  @Field({ description: 'string: number of characters (letters and digits). Default 12.', example: 16 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  length?: number;

  @Field({ description: 'pick: the values to choose from, uniformly (required for pick). Any JSON values.', example: ['EUR', 'USD', 'GBP'] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  values?: unknown[];

  @Field({ description: 'bool: probability (0..1) of `true`. Default 0.5.', example: 0.8 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  probability?: number;

  @Field({ description: 'timestamp: the simulated time of record 0 (ISO 8601). Default 2025-01-01T00:00:00.000Z.', example: '2025-06-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @Field({ description: 'timestamp: simulated milliseconds between two consecutive records. Default 1000.', example: 1000 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  stepMs?: number;

  @Field({ description: 'timestamp: `iso` (ISO 8601 string, the default) or `epoch` (milliseconds since 1970).', example: 'epoch' })
  @IsOptional()
  @IsIn(['iso', 'epoch'])
  format?: 'iso' | 'epoch';

  @Field({
    description:
      'timestamp: `simulated` (default) derives the time from `from` + sequence × `stepMs`, so runs are reproducible; `wall` uses the current time (records then differ between runs).',
    example: 'simulated',
  })
  @IsOptional()
  @IsIn(['simulated', 'wall'])
  clock?: 'simulated' | 'wall';

  @Field({ description: 'constant: the value every record gets (required for constant). Any JSON value.', example: 'web' })
  @IsOptional()
  value?: unknown;

  @Field({ description: 'Any type: probability (0..1) that the field is null instead. Default 0 (never null).', example: 0.05 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  nullRate?: number;
}

/** The options each field type accepts besides `type` and `nullRate`. */
export const OPTIONS_BY_TYPE: Readonly<Record<FieldType, readonly string[]>> = {
  sequence: ['start', 'step'],
  uuid: [],
  int: ['min', 'max'],
  float: ['min', 'max', 'decimals'],
  string: ['length'],
  pick: ['values'],
  timestamp: ['from', 'stepMs', 'format', 'clock'],
  bool: ['probability'],
  constant: ['value'],
};

/** A field as written in config: a full spec, or only its type name. */
export type FieldSpecInput = Partial<GeneratorFieldSpec> | FieldType;

/** The record shape used when `fields` is not set: an order-like event. */
export const DEFAULT_FIELDS: Readonly<Record<string, FieldSpecInput>> = {
  id: 'sequence',
  event_id: 'uuid',
  user_id: { type: 'int', min: 1, max: 100_000 },
  amount: { type: 'float', min: 1, max: 1000, decimals: 2 },
  currency: { type: 'pick', values: ['EUR', 'USD', 'GBP'] },
  status: { type: 'pick', values: ['created', 'paid', 'shipped', 'cancelled'] },
  created_at: 'timestamp',
  express: { type: 'bool', probability: 0.2 },
  note: { type: 'string', length: 16 },
};

export class GeneratorConfig {
  @Field({
    description:
      'Seed of the pseudo-random generator (0..4294967295). Record n is a pure function of (seed, n, fields): the same seed gives the same records, run after run.',
    example: 7,
  })
  @IsInt()
  @Min(0)
  @Max(4_294_967_295)
  seed: number = 42;

  @Field({ description: 'Records per second, paced by a token bucket. 0 (the default) = as fast as the pipeline takes them.', example: 500 })
  @IsNumber()
  @Min(0)
  @Max(100_000_000)
  rate: number = 0;

  @Field({ description: 'Total number of records to produce, then the input ends. Not set (the default) = endless.', example: 100_000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  count?: number;

  @Field({ description: 'Largest number of records one read returns. Bigger batches are faster; with a rate, batches are at most ~10 ms worth of records.', example: 1000 })
  @IsInt()
  @Min(1)
  @Max(100_000)
  batchSize: number = 1000;

  @Field({
    description:
      'The record shape: field name → generator spec (`{ type: int, min: 1, max: 10 }`, or just the type name such as `uuid`). Default: an order-like event (id, event_id, user_id, amount, currency, status, created_at, express, note).',
    example: { id: 'sequence', user: 'uuid', amount: { type: 'float', min: 0, max: 500 }, country: { type: 'pick', values: ['FR', 'DE'] } },
    nested: () => GeneratorFieldSpec,
  })
  @IsObject()
  fields: Record<string, FieldSpecInput> = { ...DEFAULT_FIELDS };

  @Field({ description: 'Name of a field whose value becomes the record key (as a string). Not set (the default) = records have no key.', example: 'user_id' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  keyField?: string;

  @Field({
    description:
      'Target size in bytes of each record serialised as JSON: a padding field is added to reach it exactly (records already bigger are left as they are). 0 (the default) = no padding.',
    example: 1024,
  })
  @IsInt()
  @Min(0)
  @Max(16 * 1024 * 1024)
  payloadBytes: number = 0;

  @Field({ description: 'Name of the padding field added when `payloadBytes` is set.', example: 'payload' })
  @IsString()
  @MinLength(1)
  payloadField: string = 'payload';
}
