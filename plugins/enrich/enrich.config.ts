import { Field } from '@sluice/sdk';
import { ArrayNotEmpty, ArrayUnique, IsArray, IsIn, IsNotEmpty, IsOptional, IsString } from 'class-validator';

/** The metadata fields `enrich` can add. */
export const METADATA_FIELDS = ['ingested_at', 'source', 'file', 'line', 'topic', 'partition', 'offset'] as const;
export type MetadataField = (typeof METADATA_FIELDS)[number];

export const TARGETS = ['nested', 'top-level'] as const;
export type Target = (typeof TARGETS)[number];

export const TIME_FORMATS = ['iso', 'epochMs'] as const;
export type TimeFormat = (typeof TIME_FORMATS)[number];

/** Config of the `enrich` transform. */
export class EnrichConfig {
  @Field({
    description:
      'Where the metadata goes: `nested` puts it in one object field of the value (named by `field`, merged into it when it already is an object); `top-level` adds each field to the value itself, named `prefix` + field name (replacing a value field of the same name).',
  })
  @IsIn(TARGETS)
  target: Target = 'nested';

  @Field({ description: 'Name of the object field holding the metadata when target is `nested`.', example: '_ingest' })
  @IsString()
  @IsNotEmpty()
  field = '_meta';

  @Field({ description: 'Prefix of the metadata field names when target is `top-level` (may be empty).', example: 'meta_' })
  @IsString()
  prefix = '_';

  @Field({
    description:
      'Which metadata to add. `ingested_at`: when this transform handled the record. `source`: see sourceLabel. `file`/`line`: from the headers `sluice.file`/`sluice.line` when present; otherwise, for records without Kafka headers, the origin lane and offset (the file and line for the file source). `topic`/`partition`/`offset`: from the headers `kafka.topic`, `kafka.partition` and `kafka.offset` that Kafka sources set. A field with no value for a record is left out; numeric headers become numbers when they are safe integers, otherwise their text is kept.',
    example: ['ingested_at', 'source', 'file', 'line'],
  })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(METADATA_FIELDS, { each: true })
  fields: MetadataField[] = [...METADATA_FIELDS];

  @Field({ description: 'Format of `ingested_at`: `iso` (an ISO-8601 UTC string such as 2024-05-01T12:00:00.000Z) or `epochMs` (milliseconds since 1970 as a number).' })
  @IsIn(TIME_FORMATS)
  timeFormat: TimeFormat = 'iso';

  @Field({ description: 'The value of `source`. Default: `<pipeline>/<source plugin>` from the record origin, e.g. `orders/file`.', example: 'erp-export' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  sourceLabel?: string;
}
