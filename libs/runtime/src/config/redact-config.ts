import { secretFieldNames } from '@sluice/sdk';
import type { PipelineConfig, RouteConfig, SluiceConfig, StageConfig } from './sluice-config.js';

/** What replaces a secret value in a redacted view. */
export const REDACTED = '<redacted>';

export type JsonView = string | number | boolean | null | JsonView[] | { [key: string]: JsonView };

/**
 * A JSON-safe copy of a value in which every field a config class marks `secret` (`@Field({
 * secret: true })`) is replaced by {@link REDACTED}, at any depth: nested config objects are
 * instances of their own config classes, whose secret fields are looked up the same way.
 */
export function redactValue(value: unknown, seen: WeakSet<object> = new WeakSet()): JsonView {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof RegExp || value instanceof URL) return String(value);
  if (seen.has(value)) return '<circular>';
  seen.add(value);
  try {
    if (Array.isArray(value) || value instanceof Set) return [...value].map((item) => redactValue(item, seen));
    const entries = value instanceof Map ? [...value.entries()].map(([k, v]) => [String(k), v] as const) : Object.entries(value);
    const constructor = (value as object).constructor;
    const secrets = typeof constructor === 'function' && constructor !== Object ? new Set(secretFieldNames(constructor as new () => object)) : new Set<string>();
    const out: { [key: string]: JsonView } = {};
    for (const [key, field] of entries) {
      if (field === undefined || typeof field === 'function' || typeof field === 'symbol') continue;
      out[key] = secrets.has(key) && field !== null ? REDACTED : redactValue(field, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** A stage for display: plugin, kind, version and its config with secrets redacted. */
export interface StageView {
  readonly name: string;
  readonly plugin: string;
  readonly kind: string;
  readonly version: string;
  readonly path: string;
  readonly config: JsonView;
}

function stageView(stage: StageConfig): StageView {
  return {
    name: stage.name,
    plugin: stage.plugin,
    kind: stage.definition.kind,
    version: stage.definition.version,
    path: stage.path,
    config: redactValue(stage.config),
  };
}

/** A route for display: its condition (null: every record) and the views of its stages. */
export interface RouteView {
  readonly name: string;
  readonly when: string | null;
  readonly transforms: readonly StageView[];
  readonly sink: StageView;
}

function routeView(route: RouteConfig): RouteView {
  return { name: route.name, when: route.when ?? null, transforms: route.transforms.map(stageView), sink: stageView(route.sink) };
}

/** How a pipeline ends: its sink, or its routes and what becomes of the records none takes. */
type PipelineEndView = { readonly sink: StageView; readonly routes?: undefined; readonly unrouted?: undefined } | { readonly sink?: undefined; readonly routes: readonly RouteView[]; readonly unrouted: string };

function pipelineEndView(pipeline: PipelineConfig): PipelineEndView {
  return pipeline.routes ? { routes: pipeline.routes.map(routeView), unrouted: pipeline.unrouted } : { sink: stageView(pipeline.sink) };
}

/** The JSON-safe, redacted view of a config: what `/api/pipelines` and logs show. */
export interface RedactedConfig {
  readonly file: string;
  readonly dir: string;
  readonly dataDir: string;
  readonly transport: JsonView;
  readonly http: { readonly enabled: boolean; readonly host: string; readonly port: number; readonly token?: string };
  readonly log: JsonView;
  readonly plugins: readonly string[];
  readonly pipelines: ReadonlyArray<
    {
      readonly name: string;
      readonly source: StageView;
      readonly transforms: readonly StageView[];
      readonly deadLetter: StageView;
      readonly batch: JsonView;
      readonly retry: JsonView;
      readonly restart: JsonView;
      readonly maxInFlight: number;
    } & PipelineEndView
  >;
}

/**
 * A plain JSON view of `config` for APIs and logs: plugin definitions reduced to name, kind and
 * version; http.token and every secret field of the plugin configs replaced by "<redacted>".
 */
export function redactConfig(config: SluiceConfig): RedactedConfig {
  const { token, ...http } = config.http;
  return {
    file: config.file,
    dir: config.dir,
    dataDir: config.dataDir,
    transport: redactValue(config.transport),
    http: token === undefined ? http : { ...http, token: REDACTED },
    log: redactValue(config.log),
    plugins: [...config.plugins],
    pipelines: config.pipelines.map((pipeline) => ({
      name: pipeline.name,
      source: stageView(pipeline.source),
      transforms: pipeline.transforms.map(stageView),
      ...pipelineEndView(pipeline),
      deadLetter: stageView(pipeline.deadLetter),
      batch: redactValue(pipeline.batch),
      retry: redactValue(pipeline.retry),
      restart: redactValue(pipeline.restart),
      maxInFlight: pipeline.maxInFlight,
    })),
  };
}
