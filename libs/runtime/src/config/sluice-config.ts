import type { PluginDefinition } from '@sluice/sdk';

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
    };

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
}

export interface PipelineConfig {
  readonly name: string;
  readonly source: StageConfig;
  readonly transforms: readonly StageConfig[];
  readonly sink: StageConfig;
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
