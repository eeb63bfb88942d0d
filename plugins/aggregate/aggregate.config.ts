import { DEFAULT_EVALUATION_TIMEOUT_MS, Field, RECORD_VARIABLES_DOC, TIMEOUT_DOC } from '@sluice/sdk';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, Min, ValidateNested } from 'class-validator';

/** The aggregate functions a metric can compute. */
export const METRIC_FUNCTIONS = ['count', 'sum', 'avg', 'min', 'max'] as const;
export type MetricFunction = (typeof METRIC_FUNCTIONS)[number];

/** What the expressions evaluated on an element (`groupBy`, `metrics.*.of`) see. */
export const ELEMENT_VARIABLES_DOC =
  '`$` is the element (the record value itself when `each` is not set), `$input` the record value, and `$key`, `$headers`, `$timestamp` and `$origin` the record envelope, as in `map`.';

/** One metric: an aggregate function over a value of each element. */
export class AggregateMetricConfig {
  @Field({
    description:
      'The aggregate: `count` (elements, or with `of` the elements whose value is not null), `sum` (0 when nothing was summed), `avg` (null when nothing was averaged), `min` and `max` (null when there is nothing).',
    example: 'avg',
  })
  @IsIn(METRIC_FUNCTIONS)
  fn: MetricFunction;

  @Field({
    description: `JSONata expression giving the element's value for this metric; required except for \`count\`. ${ELEMENT_VARIABLES_DOC} Numbers and numeric strings are used; null and undefined are ignored (not counted); any other value (a non-numeric string, a boolean, an object, an array) sends the record to the dead-letter destination with an error naming the metric. With \`count\`, any non-null value counts.`,
    example: 'base_stat',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  of?: string;
}

/** Tumbling windows on the record timestamp. */
export class AggregateWindowConfig {
  @Field({
    description: 'Length of each tumbling window, in milliseconds. Windows are aligned on the Unix epoch: a record with timestamp t belongs to [floor(t / sizeMs) * sizeMs, that + sizeMs).',
    example: 3_600_000,
  })
  @IsInt()
  @Min(1)
  sizeMs: number;

  @Field({
    description:
      'How long a window stays open after a newer window was seen, in milliseconds: a window whose end is more than this before the newest window end seen so far is closed and its groups are forgotten; a record for a closed window is sent to the dead-letter destination ("late record for closed window [start, end)"). Default: sizeMs (the previous window stays open).',
    example: 600_000,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  allowedLatenessMs?: number;
}

/** Config of the `aggregate` transform. */
export class AggregateConfig {
  @Field({
    description: `The group key: output field name → JSONata expression evaluated on each element. ${ELEMENT_VARIABLES_DOC} At least one entry. Each expression must yield a string, number or boolean; an element for which one yields undefined or null sends the record to the dead-letter destination (naming the field) unless skipMissingGroups is true. The output record key is the group values joined with \`|\` (in this order; a \`|\` or \`\\\` inside a value is escaped with \`\\\`), followed by \`|\` and the window start (ISO-8601) when windowed.`,
    example: { stat_type: 'stat.name' },
  })
  @IsObject()
  groupBy: Record<string, string>;

  @Field({
    description: `Optional JSONata expression on the record value giving the elements to aggregate: each item of the array it returns is one element (a record contributes to one group per element, e.g. one per stat). A non-array result is one element; undefined, null and an empty array mean the record contributes nothing (it is dropped, or only passed through). Null items are skipped. ${RECORD_VARIABLES_DOC} Default: the record value is the one element.`,
    example: 'stats',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  each?: string;

  @Field({
    description:
      'When true, an element whose group value (any groupBy expression) is undefined or null is skipped instead of sending the whole record to the dead-letter destination.',
  })
  @IsBoolean()
  skipMissingGroups = false;

  @Field({
    description:
      'The aggregates: output field name → `{ fn, of }` (see below). At least one entry. Names must differ from the groupBy fields, the window fields and updatedAtField.',
    example: { avg_value: { fn: 'avg', of: 'base_stat' }, count_pokemon: { fn: 'count' } },
    nested: () => AggregateMetricConfig,
  })
  @IsObject()
  metrics: Record<string, AggregateMetricConfig>;

  @Field({
    description: `Optional JSONata expression on the record value giving the id of the entity the record describes. ${RECORD_VARIABLES_DOC} When set, each entity counts once per group (per window when windowed): a later record with the same id replaces the entity's earlier contribution (it is withdrawn from every group it was in, and the new elements are added; groups it leaves are emitted too, and a group left with no entity is forgotten). Redelivered records therefore never count twice, and \`count\` counts the elements of distinct entities (the distinct entities themselves when each has one element per group, as with one stat per Pokémon). A record whose id is undefined or null is sent to the dead-letter destination. Costs memory: every entity's values are kept per group.`,
    example: 'id',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  distinct?: string;

  @Field({
    description:
      'Optional tumbling windows on the record timestamp (epoch ms): the group key then includes the window, and the output has the window bounds (windowStartField, windowEndField). Without it, groups aggregate over all time.',
    example: { sizeMs: 3_600_000, allowedLatenessMs: 600_000 },
    nested: () => AggregateWindowConfig,
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => AggregateWindowConfig)
  window?: AggregateWindowConfig;

  @Field({ description: 'With `window`: the output field holding the window start (ISO-8601, inclusive). Ignored without a window.', example: 'hour' })
  @IsString()
  @IsNotEmpty()
  windowStartField = 'window_start';

  @Field({ description: 'With `window`: the output field holding the window end (ISO-8601, exclusive). Ignored without a window.', example: 'hour_end' })
  @IsString()
  @IsNotEmpty()
  windowEndField = 'window_end';

  @Field({
    description: 'Output field set to the time of the emission (ISO-8601), e.g. a table\'s `updated_at` column. An empty string adds no such field.',
    example: 'updated_at',
  })
  @IsString()
  updatedAtField = 'updated_at';

  @Field({
    description: 'When true, each input record is also passed on unchanged, before the aggregate records it produced (so the stage can feed a raw table and an aggregate table).',
  })
  @IsBoolean()
  passThrough = false;

  @Field({
    description:
      'Most groups kept at once (over all open windows). A record that would create a group beyond it is sent to the dead-letter destination; with windows, closed windows are evicted first. Bounds memory: roughly 200 bytes per group without `distinct`, plus about 100 bytes per entity and group with it.',
    example: 10_000,
  })
  @IsInt()
  @Min(1)
  maxGroups = 100_000;

  @Field({
    description:
      'Whether the state (groups, distinct entities, windows) survives restarts: it is saved atomically as JSON to `<dataDir>/state/<pipeline>/<stage>.aggregate.json` (see `saveBeforeAck`, and on stop) and read back on start (a file that is unreadable, or was written for different groupBy/each/metrics/distinct/window.sizeMs, is ignored with a warning). On the Kafka transport the runtime keeps the state instead (no file): the records are repartitioned by group, each partition of that channel has its own state on the host that holds it, snapshotted to a changelog topic with the channel offset it covers before each batch is acknowledged, and restored by the next host to hold the partition (replayed records the state already covers are skipped). After a crash (no stop), records that were processed but not yet acknowledged are delivered again (at-least-once): without `distinct` they may count twice; with `distinct` they replace themselves.',
  })
  @IsBoolean()
  persistState = true;

  @Field({
    description:
      'With persistState: save the state whenever a batch changed it, before the batch is acknowledged (the runtime flushes the transform then), so a crash loses no acknowledged change. false: save at most every snapshotIntervalMs and on stop, which costs less with a large state (many distinct entities) but a crash loses the changes of the last interval that were acknowledged.',
  })
  @IsBoolean()
  saveBeforeAck = true;

  @Field({ description: 'With persistState and saveBeforeAck false: shortest time between two saves of the state while records arrive, in milliseconds (a crash loses at most this much of it).', example: 5_000 })
  @IsInt()
  @Min(1)
  snapshotIntervalMs = 5_000;

  @Field({ description: TIMEOUT_DOC, example: 5_000 })
  @IsInt()
  @Min(1)
  timeoutMs = DEFAULT_EVALUATION_TIMEOUT_MS;
}
