import { Field } from '@sluice/sdk';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Max, Min, ValidateBy, type ValidationArguments } from 'class-validator';
import { isPlainMapping, IsMapping, IsRequiredMapping, IsRequiredString, MAPPING, missing, Nested } from './schema-decorators.js';

// The `jobs:` section of a Sluice config file: scheduled work the host runs besides the pipelines
// (trigger a source, run a named query and ship its result, run a plugin action). Validated as part
// of SluiceFileSchema; the checks across fields (exactly one schedule, exactly one kind, names that
// exist, cron syntax) are in jobs.ts.

/** An optional mapping of strings (HTTP headers). */
function IsStringMap(): PropertyDecorator {
  return ValidateBy({
    name: 'isStringMap',
    validator: {
      validate: (value: unknown) => missing(value) || (isPlainMapping(value) && Object.values(value as object).every((v) => typeof v === 'string')),
      defaultMessage: ({ value }: ValidationArguments) => {
        if (!isPlainMapping(value)) return MAPPING;
        const bad = Object.entries(value as object).find(([, v]) => typeof v !== 'string');
        return `"${bad?.[0]}" must be a string`;
      },
    },
  });
}

/** Job names: letters, digits, ".", "_" and "-" (they are URL path segments and metric labels). */
export const JOB_NAME = /^[A-Za-z0-9_.-]+$/;

function IsJobName(): PropertyDecorator {
  return ValidateBy({
    name: 'isJobName',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && JOB_NAME.test(value),
      defaultMessage: ({ value }: ValidationArguments) =>
        missing(value) ? 'is required' : typeof value !== 'string' ? 'must be a string' : 'must use only letters, digits, "_", "." and "-"',
    },
  });
}

/** Longest interval and timeout accepted: 2^31-1 ms (about 24.8 days), the longest Node timer. */
const MAX_TIMER_MS = 2_147_483_647;

export class JobTriggerSection {
  @Field({ description: 'The pipeline whose source is started: it must be triggerable (for the http source: its config has a `trigger:` section), which is checked when the jobs start.', example: 'pokemon' })
  @IsRequiredString()
  pipeline: string;
}

export class JobQueryOutputSection {
  @Field({ description: 'Write the result as JSON to this file (relative to the config file\'s folder), replacing it atomically (a temporary file renamed over it).', example: '../data/exports/top-pokemon.json' })
  @IsOptional()
  @IsRequiredString()
  file?: string;

  @Field({ description: 'POST the result as JSON to this http(s) URL; an answer other than 2xx fails the run. Only its origin and path are logged.', example: 'https://hooks.example.com/sluice/top-pokemon' })
  @IsOptional()
  @IsRequiredString()
  url?: string;

  @Field({ description: 'Headers sent with the POST to `url` (name → value). Secrets: never logged nor shown.', example: { Authorization: 'Bearer ${HOOK_TOKEN}' }, secret: true })
  @IsStringMap()
  headers?: Record<string, string>;

  @Field({ description: 'Log the result (info level) with the job\'s log line.' })
  @IsBoolean()
  log: boolean = false;
}

export class JobQuerySection {
  @Field({ description: 'The named query run (one of `queries:`), over its default range (`rangeMs` up to now).', example: 'top-pokemon' })
  @IsRequiredString()
  name: string;

  @Field({ description: 'Where the result goes: at least one of file, url and log.', nested: () => JobQueryOutputSection })
  @IsRequiredMapping()
  @Nested()
  @Type(() => JobQueryOutputSection)
  to: JobQueryOutputSection;
}

export class JobActionSection {
  @Field({ description: 'The pipeline whose plugin runs the action.', example: 'vehicles' })
  @IsRequiredString()
  pipeline: string;

  @Field({ description: 'The stage of that pipeline: source, transforms[<i>], sink or deadLetter (checked when the jobs start).', example: 'sink' })
  @IsRequiredString()
  stage: string;

  @Field({ description: 'The name of the action, one the stage\'s plugin exposes (checked when the jobs start).', example: 'compact' })
  @IsRequiredString()
  name: string;

  @Field({ description: 'Arguments handed to the action (a mapping; default: none).', example: { olderThanDays: 30 } })
  @IsMapping()
  args?: Record<string, unknown>;
}

export class JobSection {
  @Field({ description: 'Unique name of the job: letters, digits, "_", "." and "-". Used in /api/jobs/<name>, metrics and logs.', example: 'nightly-export' })
  @IsJobName()
  name: string;

  @Field({ description: 'What the job does, in a sentence (shown by /api/jobs).', example: 'Exports the top Pokémon every night' })
  @IsOptional()
  @IsString()
  description?: string;

  @Field({
    description:
      'Schedule: a cron expression (five fields "minute hour day month weekday", or six with seconds first; e.g. "0 2 * * *" = 02:00 daily). Set exactly one of cron and intervalMs.',
    example: '0 2 * * *',
  })
  @IsOptional()
  @IsRequiredString()
  cron?: string;

  @Field({ description: 'With `cron`: the IANA time zone its times are read in. Unset: the local zone of the machine.', example: 'Europe/Paris' })
  @IsOptional()
  @IsRequiredString()
  timeZone?: string;

  @Field({ description: 'Schedule: milliseconds between two runs. Set exactly one of cron and intervalMs.', example: 60_000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_TIMER_MS)
  intervalMs?: number;

  @Field({ description: 'Also run once as soon as the host has started (after the pipelines).' })
  @IsBoolean()
  runOnStart: boolean = false;

  @Field({ description: 'Time allowed for one run, in milliseconds; then it is aborted and counted as a timeout.', example: 60_000 })
  @IsInt()
  @Min(1)
  @Max(MAX_TIMER_MS)
  timeoutMs: number = 300_000;

  @Field({ description: 'Kind trigger: start a run of a pipeline\'s source. Set exactly one of trigger, query and action.', nested: () => JobTriggerSection })
  @IsMapping()
  @Nested()
  @Type(() => JobTriggerSection)
  trigger?: JobTriggerSection;

  @Field({ description: 'Kind query: run a named query and write its result to a file, POST it to a URL and/or log it. Set exactly one of trigger, query and action.', nested: () => JobQuerySection })
  @IsMapping()
  @Nested()
  @Type(() => JobQuerySection)
  query?: JobQuerySection;

  @Field({ description: 'Kind action: run an action a plugin of a running pipeline exposes. Set exactly one of trigger, query and action.', nested: () => JobActionSection })
  @IsMapping()
  @Nested()
  @Type(() => JobActionSection)
  action?: JobActionSection;
}
