import { Field } from '@sluice/sdk';
import { IsBoolean, IsIn, IsNotEmpty, IsObject, IsOptional, IsString } from 'class-validator';

/** Config of the `validate` transform. */
export class ValidateConfig {
  @Field({
    description:
      'The JSON Schema, inline. Draft-07 by default; a `$schema` of draft 2019-09 or 2020-12 selects that draft. Formats (email, date-time, uuid, uri...) are checked. Set this or schemaFile, not both.',
    example: { type: 'object', required: ['id', 'email'], properties: { id: { type: 'integer' }, email: { type: 'string', format: 'email' } } },
  })
  @IsOptional()
  @IsObject()
  schema?: Record<string, unknown>;

  @Field({
    description:
      'Path of a file holding the JSON Schema, relative to the config file\'s folder: JSON for `.json` files, YAML otherwise. It must be self-contained (`$ref` only inside it). Read and compiled once, when the pipeline starts. Set this or schema, not both.',
    example: 'schemas/order.schema.yaml',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  schemaFile?: string;

  @Field({
    description:
      'Convert values to the type the schema asks for before checking (ajv `coerceTypes`): "42" → 42, "true" → true, 1 → "1", null → "" or 0... `array` also wraps a scalar into a one-element array where an array is expected. The record passed on carries the converted copy; the input record is never changed. Default false: types must match as they are.',
  })
  @IsIn([false, true, 'array'])
  coerceTypes: boolean | 'array' = false;

  @Field({
    description:
      'Remove properties the schema does not allow (ajv `removeAdditional`): `true` or `all`... `true` removes the ones a schema with `additionalProperties: false` rejects, `all` every property not listed in `properties`, `failing` those failing an `additionalProperties` schema. The record passed on carries the pruned copy. Default false: extra properties make the record invalid where the schema forbids them.',
  })
  @IsIn([false, true, 'all', 'failing'])
  removeAdditional: boolean | 'all' | 'failing' = false;

  @Field({
    description:
      'Fill in the `default` of missing properties (and array items) from the schema (ajv `useDefaults`); `empty` also replaces null and empty strings. The record passed on carries the completed copy. Default false.',
  })
  @IsIn([false, true, 'empty'])
  useDefaults: boolean | 'empty' = false;

  @Field({
    description:
      'Ajv strict mode for the schema: unknown keywords (a typo such as `requried`) and ignored constructs make the schema fail to compile, so `sluice validate` reports them. Set false to accept schemas with custom keywords.',
  })
  @IsBoolean()
  strict = true;
}
