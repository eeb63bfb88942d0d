import { DEFAULT_EVALUATION_TIMEOUT_MS, RECORD_VARIABLES_DOC, TIMEOUT_DOC } from '@sluice/sdk';
import { Field } from '@sluice/sdk';
import { IsInt, IsNotEmpty, IsString, Min } from 'class-validator';

/** Config of the `filter` transform. */
export class FilterConfig {
  @Field({
    description: `JSONata expression (jsonata 2.x) deciding which records pass. ${RECORD_VARIABLES_DOC} The result is cast like JSONata's \`$boolean()\`: true, a non-empty string, a non-zero number, a non-empty object, or an array with at least one truthy member keeps the record; false, undefined (a missing field), null, "", 0, {} and [] drop it. An evaluation error (e.g. comparing a string with a number) sends the record to the dead-letter destination.`,
    example: 'status = "paid" and amount >= 100',
  })
  @IsString()
  @IsNotEmpty()
  condition: string;

  @Field({ description: TIMEOUT_DOC, example: 5_000 })
  @IsInt()
  @Min(1)
  timeoutMs = DEFAULT_EVALUATION_TIMEOUT_MS;
}
