import type { KafkaCompression, KafkaSecuritySettings } from '@sluice/kafka';
import type { Aggregation, JsonValue, PluginDefinition, QueryFilter, TableAggregation } from '@sluice/sdk';
import type { KafkaTransportOptions } from '#transports';

/**
 * The validated, resolved configuration the runtime runs on (what `loadConfig` returns).
 * Relative paths in a config file resolve against the folder of that file.
 */
export interface SluiceConfig {
  /** Absolute path of the config file. */
  readonly file: string;
  /** Folder of the config file (what plugins get as `configDir`). */
  readonly dir: string;
  /** Absolute folder for state: checkpoints, embedded databases, dead letters. */
  readonly dataDir: string;
  readonly transport: TransportConfig;
  readonly http: HttpConfig;
  readonly log: LogConfig;
  readonly pipelines: readonly PipelineConfig[];
  /** Extra plugin specifiers the file listed (npm package names, local paths). */
  readonly plugins: readonly string[];
  /** Named queries over the data of queryable sinks (REST and Grafana). */
  readonly queries: readonly NamedQueryConfig[];
  readonly grafana: GrafanaConfig;
  /** Scheduled jobs (`jobs:`), run by the host once the pipelines started. */
  readonly jobs: readonly JobConfig[];
}

interface NamedQueryBase {
  readonly name: string;
  readonly description?: string;
  /** The pipeline whose sink is queried (an existing pipeline name). */
  readonly pipeline: string;
  readonly dataset: string;
  readonly filters: readonly QueryFilter[];
  /** Range of a REST call without `from`, in ms before `to`. */
  readonly rangeMs: number;
  /** Config path, e.g. `queries[2]` (for messages). */
  readonly path: string;
}

/** A time-bucketed aggregate; the bucket width comes with each request. */
export interface TimeSeriesNamedQuery extends NamedQueryBase {
  readonly kind: 'timeseries';
  readonly aggregation: Aggregation;
  /** The aggregated column (absent for count). */
  readonly value?: string;
  /** Only with `avg`: the column `value` is weighted by (a weighted average). */
  readonly weight?: string;
  readonly groupBy?: string;
}

/** Rows, or aggregates grouped by `columns`. */
export interface TableNamedQuery extends NamedQueryBase {
  readonly kind: 'table';
  readonly columns?: readonly string[];
  readonly aggregations?: ReadonlyArray<TableAggregation>;
  readonly orderBy?: ReadonlyArray<{ readonly column: string; readonly direction: 'asc' | 'desc' }>;
  readonly limit?: number;
  /** Restrict to the requested range on the time column: true, false, or unset = when the dataset has one. */
  readonly useTimeRange?: boolean;
}

export type NamedQueryConfig = TimeSeriesNamedQuery | TableNamedQuery;

export interface GrafanaConfig {
  readonly enabled: boolean;
  /** URL path prefix without a trailing slash, e.g. `/grafana`. */
  readonly prefix: string;
  /** Whether http.token (when set) is required on the Grafana endpoints. */
  readonly requireToken: boolean;
  /** Offer every dataset of every queryable sink as a metric, besides the named queries. */
  readonly datasets: boolean;
  /** Browser origins allowed by CORS (`*` = any); empty: no CORS. */
  readonly cors: { readonly origins: readonly string[] };
}

export type TransportConfig =
  | { readonly kind: 'embedded' }
  | {
      readonly kind: 'kafka';
      readonly brokers: readonly string[];
      readonly clientId: string;
      readonly groupPrefix: string;
      /** Defaults for the channel topics Sluice creates. */
      readonly partitions: number;
      readonly replicationFactor: number;
      readonly retentionMs?: number;
      /** Compression of the batches written to channel topics. */
      readonly compression: KafkaCompression;
      /** TLS and SASL of every client the transport opens (`sslCaFile` resolved against the config's folder). */
      readonly security: KafkaSecuritySettings;
      /** How channel consumers batch, bound and commit (see the `transport:` docs). */
      readonly consumer: KafkaConsumerSettings;
    };

/** The Kafka transport's consumer settings that a config file sets (`transport:`). */
export type KafkaConsumerSettings = Pick<KafkaTransportOptions, 'maxBatchRecords' | 'maxBatchWaitMs' | 'maxInFlight' | 'commitIntervalMs' | 'sessionTimeoutMs' | 'connectionTimeoutMs'>;

export interface HttpConfig {
  readonly enabled: boolean;
  readonly host: string;
  readonly port: number;
  /** Bearer token protecting data endpoints (`/api/*`), when set. Never logged. */
  readonly token?: string;
}

export interface LogConfig {
  readonly level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** Human-readable lines instead of JSON; default: when stdout is a terminal. */
  readonly pretty?: boolean;
}

export interface BatchPolicy {
  /** Flush a batch at this many records. */
  readonly maxRecords: number;
  /** ... or at this many bytes of JSON payload. */
  readonly maxBytes: number;
  /** ... or when its first record has waited this long (ms). */
  readonly maxWaitMs: number;
}

export interface RetryPolicy {
  /** Attempts in all (1 = no retry) before a record is dead-lettered. */
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Backoff growth per attempt. */
  readonly multiplier: number;
  /** Random share of each backoff (0..1) to spread retries. */
  readonly jitter: number;
}

export interface RestartPolicy {
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

/** One plugin instance in a pipeline: resolved plugin, validated config. */
export interface StageConfig {
  /** Stage name: `source`, `transforms[0]`, `sink`, `deadLetter`. */
  readonly name: string;
  /** Plugin name as written. */
  readonly plugin: string;
  readonly definition: PluginDefinition;
  /** Validated instance of the plugin's config class. */
  readonly config: object;
  /** Config path, e.g. `pipelines[0].sink` (for messages). */
  readonly path: string;
  /** Bounds on the plugin's `start()` and (sinks) each `write()`, ms. */
  readonly timeouts: StageTimeouts;
  /** The config forces a channel before this stage (`channel: true`). */
  readonly channel?: boolean;
}

export interface StageTimeouts {
  readonly startMs: number;
  readonly writeMs: number;
}

/** One branch of a fan-out (`routes:`): a condition, its own transforms, and a sink. */
export interface RouteConfig {
  readonly name: string;
  /** JSONata condition on the record; unset: every record. */
  readonly when?: string;
  readonly transforms: readonly StageConfig[];
  readonly sink: StageConfig;
  /** Config path, e.g. `pipelines[0].routes[1]`. */
  readonly path: string;
}

/** With routes: what happens to a record no route takes (dead-lettered, or dropped and counted). */
export type UnroutedPolicy = 'deadLetter' | 'drop';

/** What every pipeline has, whichever way it ends (one sink, or routes). */
interface PipelineBase {
  readonly name: string;
  readonly source: StageConfig;
  readonly transforms: readonly StageConfig[];
  /** Where records that fail for good go. Default: the `file` sink, `<dataDir>/dlq/<pipeline>.jsonl`. */
  readonly deadLetter: StageConfig;
  readonly batch: BatchPolicy;
  readonly retry: RetryPolicy;
  readonly restart: RestartPolicy;
  /** Upper bound of records read from the source and not yet acknowledged (backpressure). */
  readonly maxInFlight: number;
  /** Overrides for this pipeline's channels (Kafka topics). */
  readonly channels?: { readonly partitions?: number; readonly retentionMs?: number };
}

/** A pipeline that ends in one sink. */
export interface SinkPipelineConfig extends PipelineBase {
  readonly sink: StageConfig;
  readonly routes?: undefined;
  readonly unrouted?: undefined;
}

/**
 * A pipeline that ends in a fan-out (`routes:`): each record goes to every route whose condition
 * holds, through the route's own transforms to its own sink.
 */
export interface RoutedPipelineConfig extends PipelineBase {
  readonly sink?: undefined;
  readonly routes: readonly RouteConfig[];
  readonly unrouted: UnroutedPolicy;
}

/** One pipeline: `routes` tells the two kinds apart (set: a fan-out; unset: one `sink`). */
export type PipelineConfig = SinkPipelineConfig | RoutedPipelineConfig;

/** When a job runs: at the fire times of a cron expression, or every `intervalMs`. */
export type JobSchedule =
  | { readonly kind: 'cron'; readonly expression: string; readonly timeZone?: string }
  | { readonly kind: 'interval'; readonly intervalMs: number };

/** Where a query job's result goes (at least one of them). */
export interface JobQueryOutput {
  /** Absolute path of the JSON file written (atomically). */
  readonly file?: string;
  /** http(s) URL the result is POSTed to as JSON. */
  readonly url?: string;
  /** Headers of that POST. Secrets: never logged nor shown. */
  readonly headers: Readonly<Record<string, string>>;
  /** Log the result. */
  readonly log: boolean;
}

/** What a job does. */
export type JobTask =
  /** Start a run of a pipeline's (triggerable) source. */
  | { readonly kind: 'trigger'; readonly pipeline: string }
  /** Run a named query and ship its result. */
  | { readonly kind: 'query'; readonly query: string; readonly to: JobQueryOutput }
  /** Run an action a plugin of a running pipeline exposes. */
  | { readonly kind: 'action'; readonly pipeline: string; readonly stage: string; readonly action: string; readonly args: Readonly<Record<string, JsonValue>> };

/** One scheduled job (`jobs[i]`). */
export interface JobConfig {
  readonly name: string;
  readonly description?: string;
  readonly schedule: JobSchedule;
  /** Run once as soon as the host started, besides the schedule. */
  readonly runOnStart: boolean;
  /** Time allowed for one run (ms): then it is aborted and counted as a timeout. */
  readonly timeoutMs: number;
  readonly task: JobTask;
  /** Config path, e.g. `jobs[1]` (for messages). */
  readonly path: string;
}
