import { KAFKA_COMPRESSIONS, KafkaSaslConfig, type KafkaCompression } from '@sluice/kafka';
import { Field, validateConfig, type ConfigIssue } from '@sluice/sdk';
import { withoutRedundantIssues } from './config-issues.js';
import { IsList, IsMapping, IsRequiredMapping, IsRequiredString, MAPPING, missing, Nested } from './schema-decorators.js';
import { JobSection } from './jobs-schema.js';
import { DEFAULT_START_TIMEOUT_MS, DEFAULT_WRITE_TIMEOUT_MS } from './stage-timeouts.js';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  Min,
  ValidateBy,
  type ValidationArguments,
} from 'class-validator';

// The schema of a Sluice config file, as class-validator classes validated with the SDK's
// `validateConfig` (unknown fields are errors with a "did you mean"). Property initialisers are the
// defaults. Plugin configs (`config:` of each stage) are validated afterwards against the
// plugin's own config class, so here they are only required to be mappings.

function IsListOfStrings(): PropertyDecorator {
  return ValidateBy({
    name: 'isListOfStrings',
    validator: {
      validate: (value: unknown) => missing(value) || (Array.isArray(value) && value.every((item) => typeof item === 'string')),
      defaultMessage: ({ value }: ValidationArguments) => {
        if (!Array.isArray(value)) return 'must be a list of strings';
        return `item [${value.findIndex((item) => typeof item !== 'string')}] must be a string`;
      },
    },
  });
}

const PIPELINE_NAME = /^[a-z0-9_-]+$/;

function IsPipelineName(): PropertyDecorator {
  return ValidateBy({
    name: 'isPipelineName',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && PIPELINE_NAME.test(value),
      defaultMessage: ({ value }: ValidationArguments) =>
        missing(value) ? 'is required' : typeof value !== 'string' ? 'must be a string' : 'must use only lower-case letters, digits, "_" and "-"',
    },
  });
}

export class HttpSection {
  @Field({ description: 'Serve the HTTP API (health, metrics, /api/*). false: no HTTP server at all.' })
  @IsBoolean()
  enabled: boolean = true;

  @Field({ description: 'Interface the HTTP server listens on; 0.0.0.0 accepts connections from other hosts. The SLUICE_HTTP_HOST environment variable overrides it.', example: '0.0.0.0' })
  @IsRequiredString()
  host: string = '127.0.0.1';

  @Field({ description: 'TCP port of the HTTP server (0: any free port). The SLUICE_HTTP_PORT environment variable overrides it.', example: 8080 })
  @IsInt()
  @Min(0)
  @Max(65535)
  port: number = 3000;

  @Field({ description: 'Bearer token required on the data endpoints (/api/*); unset: no authentication. The SLUICE_TOKEN environment variable overrides it.', secret: true, example: '${SLUICE_TOKEN}' })
  @IsOptional()
  @IsString()
  token?: string;
}

export class TransportSection {
  @Field({ description: 'embedded: stages talk in-process, nothing to run; kafka: stages talk through Kafka topics (needs brokers).' })
  @IsIn(['embedded', 'kafka'])
  kind: 'embedded' | 'kafka' = 'embedded';

  @Field({ description: 'Kafka bootstrap brokers as host:port (kind kafka only). The KAFKA_BROKERS environment variable (comma-separated) overrides it.', example: ['localhost:9092'] })
  @IsListOfStrings()
  brokers?: string[];

  @Field({ description: 'Kafka client id (kind kafka only).' })
  @IsRequiredString()
  clientId: string = 'sluice';

  @Field({ description: 'Prefix of the Kafka consumer group names, one group per stage: <groupPrefix>.<pipeline>.<stage> (kind kafka only). Hosts with the same prefix share the work.' })
  @IsRequiredString()
  groupPrefix: string = 'sluice';

  @Field({ description: 'Partitions of the channel topics Sluice creates (kind kafka only): the most hosts that can share one stage. A pipeline may set its own under `channels`.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  partitions?: number;

  @Field({ description: 'Replication factor of the channel topics Sluice creates (kind kafka only); at most the number of brokers.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  replicationFactor?: number;

  @Field({ description: 'retention.ms of the channel topics Sluice creates (kind kafka only). Unset: the broker default.', example: 86_400_000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  retentionMs?: number;

  @Field({ description: 'Kafka only: a channel consumer hands the stage a batch once it holds this many records...' })
  @IsInt()
  @Min(1)
  maxBatchRecords: number = 500;

  @Field({ description: '... or once its first record waited this many milliseconds (kind kafka only).' })
  @IsInt()
  @Min(0)
  maxBatchWaitMs: number = 20;

  @Field({ description: 'Kafka only: most records a channel consumer holds fetched and not yet acknowledged by its stage; it pauses its partitions beyond.' })
  @IsInt()
  @Min(1)
  maxInFlight: number = 5000;

  @Field({ description: 'Kafka only: how often a channel consumer commits the offsets its stage acknowledged, in milliseconds.' })
  @IsInt()
  @Min(1)
  commitIntervalMs: number = 200;

  @Field({ description: 'Kafka only: consumer-group session timeout, in milliseconds: how long a silent host keeps its partitions before the group moves them to the others.' })
  @IsInt()
  @Min(1000)
  sessionTimeoutMs: number = 10_000;

  @Field({ description: 'Kafka only: how long connecting to a broker may take, in milliseconds.' })
  @IsInt()
  @Min(1)
  connectionTimeoutMs: number = 3000;

  @Field({
    description: 'Kafka only: compression of the batches Sluice writes to its channel topics: `none`, `gzip`, `snappy` or `lz4`. Channel consumers read any of them, whatever this says.',
    example: 'lz4',
  })
  @IsIn([...KAFKA_COMPRESSIONS])
  compression: KafkaCompression = 'none';

  @Field({ description: 'Kafka only: connect to the brokers with TLS. Their certificate is checked against the system CAs, or `sslCaFile`.', example: true })
  @IsBoolean()
  ssl: boolean = false;

  @Field({ description: "Kafka only: PEM file of the CA(s) that signed the brokers' certificates; relative to the config file's folder. Only with `ssl: true`.", example: 'certs/kafka-ca.pem' })
  @IsOptional()
  @IsRequiredString()
  sslCaFile?: string;

  @Field({ description: 'Kafka only: refuse brokers whose certificate cannot be verified. Turn off only for testing: it allows a man in the middle.', example: true })
  @IsBoolean()
  sslRejectUnauthorized: boolean = true;

  @Field({ description: 'Kafka only: SASL authentication (PLAIN or SCRAM) of every client Sluice opens for its channels. Not set (default): none.', nested: () => KafkaSaslConfig })
  @IsOptional()
  @Nested()
  @Type(() => KafkaSaslConfig)
  sasl?: KafkaSaslConfig;
}

export class ChannelsSection {
  @Field({ description: 'Partitions of this pipeline\'s channel topics (kafka transport). Records of one key stay in one partition, in order.', example: 3 })
  @IsOptional()
  @IsInt()
  @Min(1)
  partitions?: number;

  @Field({ description: 'retention.ms of this pipeline\'s channel topics (kafka transport).', example: 86_400_000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  retentionMs?: number;
}

export class LogSection {
  @Field({ description: 'Least severe level that is logged.' })
  @IsIn(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent' = 'info';

  @Field({ description: 'Human-readable log lines instead of JSON. Unset: pretty when stdout is a terminal.' })
  @IsOptional()
  @IsBoolean()
  pretty?: boolean;
}

export class StageSection {
  @Field({ description: 'Name of the plugin this stage runs (see `sluice plugins`).', example: 'sql' })
  @IsRequiredString()
  plugin: string;

  @Field({ description: "The plugin's settings, validated against the plugin's config class." })
  @IsMapping()
  config?: Record<string, unknown>;

  @Field({ description: `Longest wait for the plugin to start (connect, open its files), in milliseconds. Past it the start counts as failed and is retried with backoff; the stage shows \`starting\`/\`restarting\` with the error meanwhile, and the other pipelines run. Default ${DEFAULT_START_TIMEOUT_MS}.` })
  @IsOptional()
  @IsInt()
  @Min(1)
  startTimeoutMs?: number;

  @Field({ description: 'Transforms and sinks: put a channel (a Kafka topic with the kafka transport) before this stage, even where the plan would run it in-line after the previous one (see `sluice plan`).' })
  @IsOptional()
  @IsBoolean()
  channel?: boolean;

  @Field({ description: `Sinks only: longest time one write may take, in milliseconds. Past it the write is aborted (its signal fires) and retried as a retryable failure, and the stage turns \`degraded\` (\`/health/ready\` answers 503) until a write succeeds. Default ${DEFAULT_WRITE_TIMEOUT_MS}.` })
  @IsOptional()
  @IsInt()
  @Min(1)
  writeTimeoutMs?: number;
}

/** One branch of a fan-out: a condition, transforms of its own, and a sink. */
export class RouteSection {
  @Field({ description: 'Unique name of the route in its pipeline: lower-case letters, digits, "_" and "-". Its stages are named `routes.<name>.sink` and `routes.<name>.transforms[i]`.', example: 'stats' })
  @IsPipelineName()
  name: string;

  @Field({
    description:
      'JSONata condition on the record (the value is `$`; `$key`, `$headers`, `$timestamp` and `$origin` are bound as in `map`): the route takes the records for which it is truthy. Unset: every record.',
    example: '$exists(stats)',
  })
  @IsOptional()
  @IsRequiredString()
  when?: string;

  @Field({ description: 'Transform stages applied, in order, to the records this route takes, before its sink.', nested: () => StageSection })
  @IsList({})
  @Nested(true)
  @Type(() => StageSection)
  transforms?: StageSection[];

  @Field({ description: 'Where this route stores its records.', nested: () => StageSection })
  @IsRequiredMapping()
  @Nested()
  @Type(() => StageSection)
  sink: StageSection;
}

export class BatchSection {
  @Field({ description: 'A batch is written to the sink once it holds this many records.' })
  @IsInt()
  @Min(1)
  maxRecords: number = 500;

  @Field({ description: '... or once its records add up to this many bytes of JSON (0 = no byte limit, which saves measuring each record).' })
  @IsInt()
  @Min(0)
  maxBytes: number = 1_048_576;

  @Field({ description: '... or once its first record has waited this many milliseconds.' })
  @IsInt()
  @Min(0)
  maxWaitMs: number = 50;
}

export class RetrySection {
  @Field({ description: 'Attempts in all (1: no retry) before a record that keeps failing is dead-lettered.' })
  @IsInt()
  @Min(1)
  maxAttempts: number = 5;

  @Field({ description: 'Wait before the first retry, in milliseconds.' })
  @IsInt()
  @Min(0)
  initialBackoffMs: number = 100;

  @Field({ description: 'Longest wait between two attempts, in milliseconds.' })
  @IsInt()
  @Min(0)
  maxBackoffMs: number = 10_000;

  @Field({ description: 'Each wait is the previous one times this factor (1: constant backoff).' })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a number' })
  @Min(1)
  multiplier: number = 2;

  @Field({ description: 'Random share of each wait (0..1) added or removed, to spread retries.' })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a number' })
  @Min(0)
  @Max(1)
  jitter: number = 0.2;
}

export class RestartSection {
  @Field({ description: 'Wait before restarting a crashed pipeline the first time, in milliseconds; doubles on each crash in a row.' })
  @IsInt()
  @Min(0)
  initialBackoffMs: number = 500;

  @Field({ description: 'Longest wait between two restarts, in milliseconds.' })
  @IsInt()
  @Min(0)
  maxBackoffMs: number = 30_000;
}

export class PipelineSection {
  @Field({ description: 'Unique name of the pipeline: lower-case letters, digits, "_" and "-". Used in metrics, topics and the dead-letter file name.', example: 'vehicles' })
  @IsPipelineName()
  name: string;

  @Field({ description: 'The source stage: where records come from.', nested: () => StageSection })
  @IsRequiredMapping()
  @Nested()
  @Type(() => StageSection)
  source: StageSection;

  @Field({ description: 'Transform stages applied in order to each record (optional).', nested: () => StageSection })
  @IsList({})
  @Nested(true)
  @Type(() => StageSection)
  transforms?: StageSection[];

  @Field({ description: 'The sink stage: where records are stored. Set either `sink` or `routes`.', nested: () => StageSection })
  @IsMapping()
  @Nested()
  @Type(() => StageSection)
  sink?: StageSection;

  @Field({
    description:
      'Fan-out instead of one `sink`: several sinks, each with an optional condition (`when`) and transforms of its own. Every record goes to every route whose condition holds; it is acknowledged once all of them stored what they made of it.',
    nested: () => RouteSection,
  })
  @IsList({})
  @Nested(true)
  @Type(() => RouteSection)
  routes?: RouteSection[];

  @Field({ description: 'With `routes`: what happens to a record no route takes. deadLetter: it goes to the dead-letter destination ("matched no route"); drop: it is counted as acknowledged and not stored.' })
  @IsIn(['deadLetter', 'drop'])
  unrouted: 'deadLetter' | 'drop' = 'deadLetter';

  @Field({ description: 'A sink for records that fail for good. Default: the file sink writing <dataDir>/dlq/<pipeline>.jsonl.', nested: () => StageSection })
  @IsMapping()
  @Nested()
  @Type(() => StageSection)
  deadLetter?: StageSection;

  @Field({ description: 'When a batch is handed to the sink.', nested: () => BatchSection })
  @IsMapping()
  @Nested()
  @Type(() => BatchSection)
  batch: BatchSection = new BatchSection();

  @Field({ description: 'How failing records are retried before they are dead-lettered.', nested: () => RetrySection })
  @IsMapping()
  @Nested()
  @Type(() => RetrySection)
  retry: RetrySection = new RetrySection();

  @Field({ description: 'How a crashed pipeline is restarted.', nested: () => RestartSection })
  @IsMapping()
  @Nested()
  @Type(() => RestartSection)
  restart: RestartSection = new RestartSection();

  @Field({ description: 'Most records read from the source and not yet acknowledged by the sink; the source pauses at this bound (backpressure).' })
  @IsInt()
  @Min(1)
  maxInFlight: number = 10_000;

  @Field({ description: 'Settings of the channels between this pipeline\'s stages (the Kafka topics `<pipeline>.stage-<n>` with the kafka transport).', nested: () => ChannelsSection })
  @IsOptional()
  @IsMapping()
  @Nested()
  @Type(() => ChannelsSection)
  channels?: ChannelsSection;
}

/** A required value out of a fixed list: "is required" or "must be one of the following values: ...". */
function IsOneOf(values: readonly string[]): PropertyDecorator {
  return ValidateBy({
    name: 'isOneOf',
    constraints: [values],
    validator: {
      validate: (value: unknown) => typeof value === 'string' && values.includes(value),
      defaultMessage: ({ value }: ValidationArguments) => (missing(value) ? 'is required' : `must be one of the following values: ${values.join(', ')}`),
    },
  });
}

const QUERY_NAME = /^[A-Za-z0-9_.-]+$/;

function IsQueryName(): PropertyDecorator {
  return ValidateBy({
    name: 'isQueryName',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && QUERY_NAME.test(value),
      defaultMessage: ({ value }: ValidationArguments) =>
        missing(value) ? 'is required' : typeof value !== 'string' ? 'must be a string' : 'must use only letters, digits, "_", "." and "-"',
    },
  });
}

/** A filter value: a string, number, boolean or null, or a list of strings and numbers (for `in`). */
function IsFilterValue(): PropertyDecorator {
  const scalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
  return ValidateBy({
    name: 'isFilterValue',
    validator: {
      validate: (value: unknown) =>
        value !== undefined && (scalar(value) || (Array.isArray(value) && value.every((item) => typeof item === 'string' || typeof item === 'number'))),
      defaultMessage: ({ value }: ValidationArguments) =>
        value === undefined ? 'is required (null matches missing values)' : 'must be a string, number, boolean or null, or a list of strings and numbers',
    },
  });
}

/** Operators of named-query filters (the queryable capability's). */
export const FILTER_OPERATORS = ['=', '!=', '<', '<=', '>', '>=', 'in'] as const;
/** Aggregations of named queries (the queryable capability's). */
export const AGGREGATIONS = ['count', 'sum', 'avg', 'min', 'max'] as const;

export class QueryFilterSection {
  @Field({ description: 'The column the filter tests.', example: 'status' })
  @IsRequiredString()
  column: string;

  @Field({ description: 'How the column is compared with `value`: =, !=, <, <=, >, >=, or in (then `value` is a list).', example: '=' })
  @IsOneOf(FILTER_OPERATORS)
  op: (typeof FILTER_OPERATORS)[number];

  @Field({ description: 'The value compared with: a string, number or boolean; null with = or != (missing values); a list of strings or numbers with in.', example: 'moving' })
  @IsFilterValue()
  value: string | number | boolean | null | Array<string | number>;
}

export class QueryAggregationSection {
  @Field({ description: 'The aggregated column; not needed for count (which then counts rows).', example: 'base_experience' })
  @IsOptional()
  @IsRequiredString()
  column?: string;

  @Field({ description: 'The aggregate function: count, sum, avg, min or max.', example: 'avg' })
  @IsOneOf(AGGREGATIONS)
  fn: (typeof AGGREGATIONS)[number];

  @Field({ description: 'Only with fn avg: the average of `column` weighted by this numeric column (SUM(column·weight) / SUM(weight)), e.g. a `value_avg` weighted by its `points`.', example: 'points' })
  @IsOptional()
  @IsRequiredString()
  weight?: string;

  @Field({ description: 'Name of the result column.', example: 'avg_experience' })
  @IsRequiredString()
  as: string;
}

export class QueryOrderSection {
  @Field({ description: 'A selected column, or the `as` name of an aggregation.', example: 'avg_experience' })
  @IsRequiredString()
  column: string;

  @Field({ description: 'asc: smallest first; desc: largest first.' })
  @IsOneOf(['asc', 'desc'])
  direction: 'asc' | 'desc' = 'asc';
}

export class NamedQuerySection {
  @Field({ description: 'Unique name of the query: letters, digits, "_", "." and "-". It is the path of GET /api/queries/<name> and the target Grafana panels select.', example: 'events-per-minute' })
  @IsQueryName()
  name: string;

  @Field({ description: 'What the query shows, in a sentence (listed by GET /api/queries and in Grafana\'s metric picker).', example: 'Vehicle events per time bucket, per status' })
  @IsOptional()
  @IsString()
  description?: string;

  @Field({ description: 'The pipeline whose sink is queried; the sink must support queries (e.g. sql), which is checked at startup.', example: 'vehicles' })
  @IsRequiredString()
  pipeline: string;

  @Field({ description: 'The dataset of that sink to read (for the sql sink: its table).', example: 'vehicle_events' })
  @IsRequiredString()
  dataset: string;

  @Field({ description: 'timeseries: an aggregate per time bucket over the dataset\'s time column; table: rows, or aggregates grouped by `columns`.', example: 'timeseries' })
  @IsOneOf(['timeseries', 'table'])
  kind: 'timeseries' | 'table';

  @Field({ description: 'timeseries: the numeric column aggregated in each bucket; not needed for count.', example: 'speed' })
  @IsOptional()
  @IsRequiredString()
  value?: string;

  @Field({ description: 'timeseries: the aggregate of each bucket: count (rows, the default), sum, avg, min or max of `value`.', example: 'avg' })
  @IsOptional()
  @IsOneOf(AGGREGATIONS)
  aggregation?: (typeof AGGREGATIONS)[number];

  @Field({
    description:
      'timeseries, only with aggregation avg: the average of `value` weighted by this numeric column (SUM(value·weight) / SUM(weight) per bucket), e.g. a per-minute `value_avg` weighted by its `points`, which makes averages over pre-aggregated rows exact.',
    example: 'points',
  })
  @IsOptional()
  @IsRequiredString()
  weight?: string;

  @Field({ description: 'timeseries: one series per distinct value of this column.', example: 'status' })
  @IsOptional()
  @IsRequiredString()
  groupBy?: string;

  @Field({ description: 'table: the columns returned (default: all); with `aggregations`, the columns grouped on.', example: ['type'] })
  @IsListOfStrings()
  columns?: string[];

  @Field({ description: 'table: aggregates computed per group of `columns` (or over all rows when no columns are given).', nested: () => QueryAggregationSection })
  @IsList({})
  @Nested(true)
  @Type(() => QueryAggregationSection)
  aggregations?: QueryAggregationSection[];

  @Field({ description: 'Conditions every row must meet (all of them).', nested: () => QueryFilterSection })
  @IsList({})
  @Nested(true)
  @Type(() => QueryFilterSection)
  filters?: QueryFilterSection[];

  @Field({ description: 'table: the order of the rows.', nested: () => QueryOrderSection })
  @IsList({})
  @Nested(true)
  @Type(() => QueryOrderSection)
  orderBy?: QueryOrderSection[];

  @Field({ description: 'table: the most rows returned. Unset: every row.', example: 10 })
  @IsOptional()
  @IsInt()
  @Min(0)
  limit?: number;

  @Field({
    description:
      'table: restrict rows to the requested time range on the dataset\'s time column. Unset: when the dataset has a time column; true: always (the dataset must have one); false: never (all-time rankings, totals).',
  })
  @IsOptional()
  @IsBoolean()
  useTimeRange?: boolean;

  @Field({ description: 'The time range a REST call covers when it gives no `from`, in milliseconds before `to` (default: the last 24 hours).', example: 3_600_000 })
  @IsInt()
  @Min(1)
  rangeMs: number = 86_400_000;
}

/** URL path prefixes the host serves itself: the Grafana prefix must not shadow them. */
export const RESERVED_PREFIXES = ['/api', '/health', '/metrics'] as const;

function IsUrlPrefix(): PropertyDecorator {
  return ValidateBy({
    name: 'isUrlPrefix',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' &&
        /^(\/[A-Za-z0-9._~-]+)+\/?$/.test(value) &&
        !RESERVED_PREFIXES.some((reserved) => value.replace(/\/$/, '') === reserved || value.startsWith(`${reserved}/`)),
      defaultMessage: ({ value }: ValidationArguments) => {
        if (missing(value)) return 'is required';
        if (typeof value !== 'string') return 'must be a string';
        if (!/^(\/[A-Za-z0-9._~-]+)+\/?$/.test(value)) return 'must be a URL path such as /grafana (starting with "/", letters, digits, ".", "_", "~", "-")';
        return `must not be ${RESERVED_PREFIXES.join(', ')} or under them (the host serves those)`;
      },
    },
  });
}

function IsOriginList(): PropertyDecorator {
  const valid = (origin: unknown) => {
    if (origin === '*') return true;
    if (typeof origin !== 'string') return false;
    try {
      const url = new URL(origin);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === origin;
    } catch {
      return false;
    }
  };
  return ValidateBy({
    name: 'isOriginList',
    validator: {
      validate: (value: unknown) => Array.isArray(value) && value.every(valid),
      defaultMessage: ({ value }: ValidationArguments) => {
        if (!Array.isArray(value)) return 'must be a list of origins';
        const index = value.findIndex((origin) => !valid(origin));
        return `item [${index}] must be "*" or an origin such as https://grafana.example.com (scheme, host and port only, no path or trailing "/")`;
      },
    },
  });
}

export class GrafanaCorsSection {
  @Field({
    description:
      'Origins of web pages allowed to call the Grafana endpoints from a browser (Grafana datasources in "browser"/direct access mode); "*" allows any. Empty: no CORS headers (Grafana\'s default server access needs none).',
    example: ['https://grafana.example.com'],
  })
  @IsOriginList()
  origins: string[] = [];
}

export class GrafanaSection {
  @Field({ description: 'Serve the Grafana datasource endpoints (JSON datasource, SimpleJSON and Infinity) under `prefix`.' })
  @IsBoolean()
  enabled: boolean = false;

  @Field({ description: 'URL path the Grafana endpoints live under: the JSON (simpod) datasource at <prefix>, SimpleJSON at <prefix>/simple, Infinity at <prefix>/infinity.', example: '/grafana' })
  @IsUrlPrefix()
  prefix: string = '/grafana';

  @Field({ description: 'When http.token is set, require it on the Grafana endpoints too (give the datasource an "Authorization: Bearer <token>" header). false: open even when a token is set.' })
  @IsBoolean()
  requireToken: boolean = true;

  @Field({ description: 'Offer every dataset of every queryable sink as a Grafana metric (`<pipeline>/<dataset>`) besides the named queries. false: only the named queries.' })
  @IsBoolean()
  datasets: boolean = true;

  @Field({ description: 'Cross-origin access from browsers.', nested: () => GrafanaCorsSection })
  @IsMapping()
  @Nested()
  @Type(() => GrafanaCorsSection)
  cors: GrafanaCorsSection = new GrafanaCorsSection();
}

export class SluiceFileSchema {
  @Field({ description: 'The HTTP server: health, metrics and the data API.', nested: () => HttpSection })
  @IsMapping()
  @Nested()
  @Type(() => HttpSection)
  http: HttpSection = new HttpSection();

  @Field({ description: 'How stages exchange records.', nested: () => TransportSection })
  @IsMapping()
  @Nested()
  @Type(() => TransportSection)
  transport: TransportSection = new TransportSection();

  @Field({ description: 'Folder for state (checkpoints, embedded databases, dead letters), relative to the config file. Default: ../data next to the config folder.', example: '../data' })
  @IsOptional()
  @IsRequiredString()
  dataDir?: string;

  @Field({ description: 'Logging.', nested: () => LogSection })
  @IsMapping()
  @Nested()
  @Type(() => LogSection)
  log: LogSection = new LogSection();

  @Field({ description: 'Extra plugins: npm package names, or local paths (starting with ./ or ../) relative to the config file.', example: ['sluice-plugin-foo', './my-plugins/thing.js'] })
  @IsListOfStrings()
  plugins: string[] = [];

  @Field({ description: 'The pipelines this host runs (at least one).', nested: () => PipelineSection })
  @IsList({ required: 'list at least one pipeline' })
  @Nested(true)
  @Type(() => PipelineSection)
  pipelines: PipelineSection[];

  @Field({ description: 'Named queries over the data of queryable sinks: served at GET /api/queries/<name> and offered to Grafana.', nested: () => NamedQuerySection })
  @IsList({})
  @Nested(true)
  @Type(() => NamedQuerySection)
  queries: NamedQuerySection[] = [];

  @Field({ description: 'Scheduled jobs: trigger a source, run a named query and ship its result, or run a plugin action, on a cron expression or an interval. Listed and run by /api/jobs.', nested: () => JobSection })
  @IsList({})
  @Nested(true)
  @Type(() => JobSection)
  jobs: JobSection[] = [];

  @Field({ description: 'Grafana datasource endpoints over the named queries and datasets.', nested: () => GrafanaSection })
  @IsMapping()
  @Nested()
  @Type(() => GrafanaSection)
  grafana: GrafanaSection = new GrafanaSection();
}

/**
 * Validates a parsed config file against {@link SluiceFileSchema}: an instance with the defaults
 * filled in, and the issues (paths relative to the file's root, one issue per path and message).
 */
export function validateFileSchema(raw: unknown): { schema: SluiceFileSchema; issues: ConfigIssue[] } {
  const { config, issues } = validateConfig(SluiceFileSchema, raw);
  const kept: ConfigIssue[] = [];
  for (const issue of withoutRedundantIssues(issues)) {
    const samePath = issues.filter((other) => other.path === issue.path);
    const duplicate = kept.some((other) => other.path === issue.path && other.message === issue.message);
    // ValidateNested reports a list that is no list as "must be a mapping": the list check said it better.
    const shadowed = issue.message === MAPPING && samePath.some((other) => other.message === 'must be a list');
    if (!duplicate && !shadowed) kept.push(issue);
  }
  return { schema: config, issues: kept };
}
