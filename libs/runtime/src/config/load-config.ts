import { securityIssues } from '@sluice/kafka';
import type { PluginKind } from '@sluice/sdk';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { PluginCatalog } from '../plugins/plugin-catalog.js';
import { PluginDiscoveryError } from '../plugins/plugin-discovery-error.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import { ConfigValidationError, type ConfigFileIssue, type PathSegment } from './config-issues.js';
import { validateFileSchema, type PipelineSection, type SluiceFileSchema } from './config-schema.js';
import { readEnvOverrides, type EnvOverrides } from './env-overrides.js';
import { interpolateDocument, type Environment } from './interpolation.js';
import { checkJobs, resolveJobs } from './jobs.js';
import { checkQueries, resolveGrafana, resolveQueries } from './named-queries.js';
import { checkRoutes, resolveRoutes } from './routes.js';
import type { PipelineConfig, SluiceConfig, StageConfig, TransportConfig } from './sluice-config.js';
import { DEFAULT_DEAD_LETTER_PLUGIN, defaultDeadLetter, resolveStage, type StageResolution } from './stage-resolver.js';
import { YamlSource } from './yaml-source.js';

export interface LoadConfigOptions {
  /** Variables for `${...}` interpolation and the overrides (SLUICE_HTTP_PORT, ...). Default: process.env. */
  readonly env?: Environment;
  /**
   * The plugins to resolve stages against. Default: the built-ins plus the file's `plugins:` list,
   * discovered from the config file's folder. When given, it is used as is (the file's `plugins:`
   * list is then not loaded).
   */
  readonly catalog?: PluginRegistry;
  /** Folder of the built-in plugins for discovery (see {@link PluginCatalog.discover}). */
  readonly builtinDir?: string | URL | false;
}

export interface LoadedConfig {
  readonly config: SluiceConfig;
  /** The plugins the config was resolved against. */
  readonly registry: PluginRegistry;
}

type RawMap = Record<string, unknown>;

const isMapping = (value: unknown): value is RawMap => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Before validation: top-level keys starting with `x-` are ignored (a place for YAML anchors, as
 * in docker-compose files), and an empty section (`retry:` with nothing under it) means "the
 * defaults", as if it were absent.
 */
function prepareRaw(raw: RawMap): void {
  for (const key of Object.keys(raw)) if (key.startsWith('x-')) delete raw[key];
  const drop = (map: RawMap, keys: readonly string[]) => {
    for (const key of keys) if (map[key] === null) delete map[key];
  };
  drop(raw, ['http', 'transport', 'log', 'plugins', 'dataDir', 'queries', 'grafana', 'jobs']);
  if (isMapping(raw.grafana)) drop(raw.grafana, ['cors']);
  if (Array.isArray(raw.queries)) for (const query of raw.queries) if (isMapping(query)) drop(query, ['filters', 'aggregations', 'orderBy', 'columns']);
  if (!Array.isArray(raw.pipelines)) return;
  for (const pipeline of raw.pipelines) {
    if (!isMapping(pipeline)) continue;
    drop(pipeline, ['transforms', 'deadLetter', 'batch', 'retry', 'restart']);
    // `routes:` with nothing under it is an empty list (reported as such), not a missing mapping.
    if (pipeline.routes === null) pipeline.routes = [];
    const routes = Array.isArray(pipeline.routes) ? pipeline.routes.filter(isMapping) : [];
    for (const route of routes) drop(route, ['transforms']);
    const routeStages = routes.flatMap((route) => [route.sink, ...(Array.isArray(route.transforms) ? route.transforms : [])]);
    const stages = [pipeline.source, pipeline.sink, pipeline.deadLetter, ...(Array.isArray(pipeline.transforms) ? pipeline.transforms : []), ...routeStages];
    for (const stage of stages) if (isMapping(stage)) drop(stage, ['config']);
  }
}

function checkTransport(source: YamlSource, raw: RawMap, overrides: EnvOverrides, issues: ConfigFileIssue[]): void {
  const transport = raw.transport;
  if (!isMapping(transport)) return;
  if (transport.kind === 'kafka') {
    const security = { ssl: transport.ssl === true, sslCaFile: typeof transport.sslCaFile === 'string' ? transport.sslCaFile : undefined, sslRejectUnauthorized: transport.sslRejectUnauthorized !== false };
    for (const issue of securityIssues(security)) issues.push(source.issue(['transport', issue.path], issue.message));
    if (overrides.brokers) return;
    if (transport.brokers === undefined || transport.brokers === null) {
      issues.push(source.issue(['transport', 'brokers'], 'is required with kind kafka (or set KAFKA_BROKERS)'));
    } else if (Array.isArray(transport.brokers) && transport.brokers.length === 0) {
      issues.push(source.issue(['transport', 'brokers'], 'must list at least one broker (host:port)'));
    }
  } else if (transport.kind === undefined || transport.kind === 'embedded') {
    for (const key of ['brokers', 'clientId', 'groupPrefix', 'partitions', 'replicationFactor', 'retentionMs', 'compression', 'ssl', 'sslCaFile', 'sslRejectUnauthorized', 'sasl']) {
      if (key in transport) issues.push(source.issue(['transport', key], 'only applies to kind: kafka'));
    }
  }
}

function checkBackoffs(source: YamlSource, raw: RawMap, issues: ConfigFileIssue[]): void {
  if (!Array.isArray(raw.pipelines)) return;
  raw.pipelines.forEach((pipeline, index) => {
    if (!isMapping(pipeline)) return;
    for (const section of ['retry', 'restart']) {
      const policy = pipeline[section];
      if (!isMapping(policy) || typeof policy.maxBackoffMs !== 'number') continue;
      const initial = typeof policy.initialBackoffMs === 'number' ? policy.initialBackoffMs : section === 'retry' ? 100 : 500;
      if (policy.maxBackoffMs < initial) {
        issues.push(source.issue(['pipelines', index, section, 'maxBackoffMs'], 'must not be less than initialBackoffMs'));
      }
    }
  });
}

function checkPipelineNames(source: YamlSource, raw: RawMap, issues: ConfigFileIssue[]): void {
  if (!Array.isArray(raw.pipelines)) return;
  const seen = new Map<string, number>();
  raw.pipelines.forEach((pipeline, index) => {
    if (!isMapping(pipeline) || typeof pipeline.name !== 'string') return;
    const first = seen.get(pipeline.name);
    if (first === undefined) seen.set(pipeline.name, index);
    else {
      const name = source.isInterpolated(['pipelines', index, 'name']) ? '' : ` "${pipeline.name}"`;
      issues.push(source.issue(['pipelines', index, 'name'], `duplicate pipeline name${name} (pipelines[${first}] has it too)`));
    }
  });
}

/** The plugins: the given catalog, or the built-ins plus the specifiers of the file (problems → issues). */
async function pluginRegistry(source: YamlSource, raw: RawMap, dir: string, options: LoadConfigOptions, issues: ConfigFileIssue[]): Promise<PluginRegistry> {
  if (options.catalog) return options.catalog;
  const listed = Array.isArray(raw.plugins) ? raw.plugins : [];
  const specifiers = listed.filter((s): s is string => typeof s === 'string');
  const catalog = new PluginCatalog();
  try {
    await catalog.discover({ builtinDir: options.builtinDir, specifiers, baseDir: dir });
  } catch (error) {
    if (!(error instanceof PluginDiscoveryError)) throw error;
    // A broken built-in is a broken installation, not a config problem: report it as it is.
    if (error.problems.some((p) => p.specifier === undefined)) throw error;
    for (const problem of error.problems) {
      issues.push(source.issue(['plugins', listed.indexOf(problem.specifier)], problem.message));
    }
  }
  return catalog;
}

function resolvePipeline(
  resolution: StageResolution,
  rawPipeline: RawMap,
  index: number,
  pipeline: PipelineSection,
  dataDir: string,
  transport: TransportConfig,
): PipelineConfig | undefined {
  const path: PathSegment[] = ['pipelines', index];
  const stage = (kind: PluginKind, name: string, segments: PathSegment[], raw: unknown) => resolveStage(resolution, kind, name, [...path, ...segments], raw);
  const source = stage('source', 'source', ['source'], rawPipeline.source);
  const rawTransforms = Array.isArray(rawPipeline.transforms) ? rawPipeline.transforms : [];
  const transforms = rawTransforms.map((raw, i) => stage('transform', `transforms[${i}]`, ['transforms', i], raw));
  const hasRoutes = Array.isArray(rawPipeline.routes);
  const routes = hasRoutes ? resolveRoutes(resolution, path, rawPipeline.routes as unknown[]) : undefined;
  const sink = hasRoutes ? undefined : stage('sink', 'sink', ['sink'], rawPipeline.sink);
  const name = typeof rawPipeline.name === 'string' ? rawPipeline.name : `pipeline-${index}`;
  const deadLetter =
    rawPipeline.deadLetter === undefined
      ? defaultDeadLetter(resolution, path, deadLetterDefault(transport, name, dataDir, resolution.registry.get('sink', 'kafka') !== undefined))
      : stage('sink', 'deadLetter', ['deadLetter'], rawPipeline.deadLetter);
  const end = routes ? { routes, unrouted: pipeline.unrouted } : sink && { sink };
  if (!source || !end || !deadLetter || transforms.some((t) => !t)) return undefined;
  return {
    name: pipeline.name,
    source,
    transforms: transforms as StageConfig[],
    ...end,
    deadLetter,
    batch: { ...pipeline.batch },
    retry: { ...pipeline.retry },
    restart: { ...pipeline.restart },
    maxInFlight: pipeline.maxInFlight,
    channels: { ...(pipeline.channels?.partitions ? { partitions: pipeline.channels.partitions } : {}), ...(pipeline.channels?.retentionMs ? { retentionMs: pipeline.channels.retentionMs } : {}) },
  };
}

/**
 * Where a pipeline's failed records go when it names no deadLetter: on the embedded transport the
 * `file` sink (`<dataDir>/dlq/<pipeline>.jsonl`); on Kafka the `kafka` sink, topic `<pipeline>.dlq`
 * (the failure travels in `sluice.dlq.*` headers and in the value) when that sink is installed.
 */
function deadLetterDefault(transport: TransportConfig, pipeline: string, dataDir: string, kafkaSinkInstalled: boolean): { plugin: string; config: Record<string, unknown> } {
  if (transport.kind === 'kafka' && kafkaSinkInstalled && transport.brokers.length > 0) {
    return {
      plugin: 'kafka',
      config: {
        brokers: [...transport.brokers],
        clientId: `${transport.clientId}.dlq`,
        topic: `${pipeline}.dlq`,
        createTopic: { partitions: 1, replicationFactor: transport.replicationFactor },
        timestamp: 'now',
      },
    };
  }
  return { plugin: DEFAULT_DEAD_LETTER_PLUGIN, config: { path: join(dataDir, 'dlq', `${pipeline}.jsonl`) } };
}

function transportConfig(schema: SluiceFileSchema, overrides: EnvOverrides, configDir: string): TransportConfig {
  const { transport } = schema;
  if (transport.kind === 'embedded') return { kind: 'embedded' };
  return {
    kind: 'kafka',
    brokers: overrides.brokers ?? transport.brokers ?? [],
    clientId: transport.clientId,
    groupPrefix: transport.groupPrefix,
    partitions: transport.partitions ?? 3,
    replicationFactor: transport.replicationFactor ?? 1,
    ...(transport.retentionMs === undefined ? {} : { retentionMs: transport.retentionMs }),
    compression: transport.compression,
    security: {
      ssl: transport.ssl,
      ...(transport.sslCaFile === undefined ? {} : { sslCaFile: resolve(configDir, transport.sslCaFile) }),
      sslRejectUnauthorized: transport.sslRejectUnauthorized,
      ...(transport.sasl === undefined ? {} : { sasl: transport.sasl }),
    },
    consumer: {
      maxBatchRecords: transport.maxBatchRecords,
      maxBatchWaitMs: transport.maxBatchWaitMs,
      maxInFlight: transport.maxInFlight,
      commitIntervalMs: transport.commitIntervalMs,
      sessionTimeoutMs: transport.sessionTimeoutMs,
      connectionTimeoutMs: transport.connectionTimeoutMs,
    },
  };
}

/** Issues about a value whose interpolation failed (or anything inside it) only repeat that failure. */
function withoutInterpolationEchoes(source: YamlSource, issues: readonly ConfigFileIssue[], interpolationIssues: readonly ConfigFileIssue[]): ConfigFileIssue[] {
  const failed = [...source.failedInterpolations];
  const within = (path: string) => failed.some((f) => path === f || path.startsWith(`${f}.`) || path.startsWith(`${f}[`));
  return issues.filter((issue) => interpolationIssues.includes(issue) || !within(issue.path));
}

function byPosition(a: ConfigFileIssue, b: ConfigFileIssue): number {
  return a.line - b.line || a.column - b.column;
}

/**
 * Reads, interpolates and validates a config file, and resolves every stage to its plugin with a
 * validated config. The whole file is checked before anything starts: all problems are thrown
 * together as a {@link ConfigValidationError}. A broken built-in plugin throws the
 * PluginDiscoveryError as is. Also returns the plugin registry the stages were resolved against.
 */
export async function loadConfigWithPlugins(file: string, options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const path = resolve(file);
  const dir = dirname(path);
  const fail = (issues: ConfigFileIssue[]): never => {
    throw new ConfigValidationError([...issues].sort(byPosition));
  };

  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the config file does not exist' : `cannot read the config file: ${(error as Error).message}`;
    return fail([{ file: path, line: 0, column: 0, path: '', message: reason }]);
  }

  const { source, issues: syntaxIssues } = YamlSource.parse(text, path);
  if (syntaxIssues.length > 0) return fail(syntaxIssues);

  const interpolationIssues = interpolateDocument(source, env);
  const issues: ConfigFileIssue[] = [...interpolationIssues];
  const parsed = source.toJS() ?? {};
  if (!isMapping(parsed)) {
    return fail([...interpolationIssues, source.issue([], 'the config file must be a mapping (key: value) at the top level')]);
  }
  const raw = parsed;
  prepareRaw(raw);

  const { overrides, problems } = readEnvOverrides(env);
  for (const problem of problems) issues.push({ file: path, line: 0, column: 0, path: problem.path, message: problem.message });

  const { schema, issues: schemaIssues } = validateFileSchema(raw);
  for (const issue of schemaIssues) issues.push(source.issue(issue.path, issue.message));
  checkTransport(source, raw, overrides, issues);
  checkBackoffs(source, raw, issues);
  checkPipelineNames(source, raw, issues);
  checkRoutes(source, raw, issues);
  checkQueries(source, raw, issues);
  checkJobs(source, raw, issues);

  const registry = await pluginRegistry(source, raw, dir, options, issues);
  const dataDir = resolve(dir, typeof raw.dataDir === 'string' && raw.dataDir.trim() !== '' ? raw.dataDir : '../data');
  const resolution: StageResolution = { registry, source, configDir: dir, issues };
  const rawPipelines = Array.isArray(raw.pipelines) ? raw.pipelines : [];
  const pipelines = rawPipelines.map((rawPipeline, index) =>
    isMapping(rawPipeline) ? resolvePipeline(resolution, rawPipeline, index, schema.pipelines[index]!, dataDir, transportConfig(schema, overrides, dir)) : undefined,
  );

  if (issues.length > 0) return fail(withoutInterpolationEchoes(source, issues, interpolationIssues));

  const token = overrides.token ?? schema.http.token;
  const config: SluiceConfig = {
    file: path,
    dir,
    dataDir,
    transport: transportConfig(schema, overrides, dir),
    http: {
      enabled: schema.http.enabled,
      host: overrides.host ?? schema.http.host,
      port: overrides.port ?? schema.http.port,
      ...(token ? { token } : {}),
    },
    log: { level: schema.log.level, ...(schema.log.pretty === undefined ? {} : { pretty: schema.log.pretty }) },
    plugins: [...schema.plugins],
    pipelines: pipelines as PipelineConfig[],
    queries: resolveQueries(schema.queries),
    grafana: resolveGrafana(schema.grafana),
    jobs: resolveJobs(schema.jobs, dir),
  };
  return { config, registry };
}

/** {@link loadConfigWithPlugins} without the registry: the validated, resolved config. */
export async function loadConfig(file: string, options: LoadConfigOptions = {}): Promise<SluiceConfig> {
  return (await loadConfigWithPlugins(file, options)).config;
}
