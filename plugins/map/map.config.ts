import { FAST_FUNCTIONS, DEFAULT_EVALUATION_TIMEOUT_MS, RECORD_VARIABLES_DOC, TIMEOUT_DOC } from '@sluice/sdk';
import { Field } from '@sluice/sdk';
import { IsBoolean, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, Min } from 'class-validator';

/** Config of the `map` transform. */
export class MapConfig {
  @Field({
    description: `JSONata expression (jsonata 2.x) computing the new record value. ${RECORD_VARIABLES_DOC} A result of undefined or null drops the record (it is filtered out); an error while evaluating sends the record to the dead-letter destination with JSONata's message. Speed: field paths, literals, object and array constructors, arithmetic, comparisons, \`and\`/\`or\`/\`in\`, \`&\`, conditions and the functions ${FAST_FUNCTIONS.map((name) => `$${name}`).join(', ')} run on a fast synchronous evaluator (hundreds of thousands of records/s); every other JSONata feature works too, through the jsonata package, some 20 times slower.`,
    example: '{"id": order_id, "customer": $uppercase(customer.name), "total": price * quantity, "source": $origin.source}',
  })
  @IsString()
  @IsNotEmpty()
  expression: string;

  @Field({
    description:
      'Optional JSONata expression setting the record key. It is evaluated on the new value (`$`; each element when exploding), with `$input` bound to the original value and the same record bindings as `expression`. A string is used as is, a number or boolean is converted to a string, undefined or null clears the key (null); objects and arrays dead-letter the record. When not set, the key is kept.',
    example: '$string(id)',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  key?: string;

  @Field({
    description:
      "Optional JSONata expression setting the record's event time (what windows, `$timestamp`, latency and the sinks' time columns read). It is evaluated like `key` (on the new value, with `$input`). Epoch milliseconds or an ISO-8601 text; undefined or null keeps the time; anything else (text that is not a date, an object) dead-letters the record.",
    example: 'created_at',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  timestamp?: string;

  @Field({
    description:
      'Optional headers to set: header name → JSONata expression, evaluated like `key` (on the new value, with `$input`). Strings are used as is, numbers and booleans converted to strings; undefined or null removes the header. Headers not listed are kept.',
    example: { 'x-tenant': 'tenant.id', 'x-source-file': '$headers."sluice.file"' },
  })
  @IsOptional()
  @IsObject()
  headers?: Record<string, string>;

  @Field({
    description:
      'When true and the expression returns an array, each element becomes a record of its own (null elements are skipped; an empty array drops the record). When false (the default), an array result is the new value as a whole.',
  })
  @IsBoolean()
  explode = false;

  @Field({ description: TIMEOUT_DOC, example: 5_000 })
  @IsInt()
  @Min(1)
  timeoutMs = DEFAULT_EVALUATION_TIMEOUT_MS;
}
