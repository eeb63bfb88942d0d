import { DEFAULT_EVALUATION_TIMEOUT_MS, RECORD_VARIABLES_DOC, TIMEOUT_DOC } from '@sluice/sdk';
import { Field } from '@sluice/sdk';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Min } from 'class-validator';

export const MISSING_KEY_ACTIONS = ['pass', 'deadLetter'] as const;
export type MissingKeyAction = (typeof MISSING_KEY_ACTIONS)[number];

/** Config of the `dedupe` transform. */
export class DedupeConfig {
  @Field({
    description: `JSONata expression computing the identity of a record; records with an identity seen within the window are dropped. ${RECORD_VARIABLES_DOC} Strings, numbers, booleans, objects and arrays are all identities (the string "1" and the number 1 differ; objects compare by their JSON text, so key order matters). Default: the record key.`,
    example: 'order_id & "/" & line',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  key?: string;

  @Field({
    description:
      'Most identities remembered at once. When full, the least recently seen identity is forgotten (LRU), so memory stays bounded: 24 to 40 bytes per identity once full (40 at most with ttlMs), whatever its length; the arrays double as the window fills. Always in force, with or without ttlMs. ' +
      'Only a 64-bit hash of each identity is remembered (FNV-1a, not cryptographic), so two different identities can collide, and then the later record is dropped as a false duplicate. ' +
      'For everyday identities the odds are those of random 64-bit values: about maxKeys / 2^64 per record (5e-15 at 100 000, 5e-14 at 1 000 000), and about n^2 / 2^65 that any two of n identities remembered together collide (3e-8 at 1 000 000, 7e-7 at 5 000 000). ' +
      'Identities chosen by an adversary could be crafted to collide on purpose.',
  })
  @IsInt()
  @Min(1)
  maxKeys = 100_000;

  @Field({
    description:
      'How long an identity is remembered, in milliseconds, counted from the record that passed (or from the latest duplicate with refreshOnDuplicate). A record whose identity was seen longer ago passes again. Default: no time limit (only maxKeys bounds the window).',
    example: 600_000,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  ttlMs?: number;

  @Field({
    description:
      'With ttlMs: whether a dropped duplicate restarts the identity\'s time window (a steady stream of duplicates then stays suppressed). Default false: the window runs from the record that passed.',
  })
  @IsBoolean()
  refreshOnDuplicate = false;

  @Field({
    description:
      'What to do with a record that has no identity (no record key, or a key expression yielding undefined or null): `pass` lets it through without remembering anything; `deadLetter` sends it to the dead-letter destination.',
  })
  @IsIn(MISSING_KEY_ACTIONS)
  onMissingKey: MissingKeyAction = 'pass';

  @Field({ description: `${TIMEOUT_DOC} Applies to the key expression.`, example: 5_000 })
  @IsInt()
  @Min(1)
  timeoutMs = DEFAULT_EVALUATION_TIMEOUT_MS;
}
