import { ExpressionSyntaxError, JsonataExpression, RECORD_VARIABLES } from '@sluice/sdk';
import { formatPath, type ConfigFileIssue, type PathSegment } from './config-issues.js';
import type { RouteConfig, StageConfig } from './sluice-config.js';
import { resolveStage, type StageResolution } from './stage-resolver.js';
import type { YamlSource } from './yaml-source.js';

type RawMap = Record<string, unknown>;
const isMapping = (value: unknown): value is RawMap => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks what the schema cannot: a pipeline has either `sink` or `routes` (not both, not neither),
 * at least one route, route names unique in their pipeline, `when` conditions that compile, and
 * `unrouted` only with routes.
 */
export function checkRoutes(source: YamlSource, raw: RawMap, issues: ConfigFileIssue[]): void {
  if (!Array.isArray(raw.pipelines)) return;
  raw.pipelines.forEach((pipeline, index) => {
    if (!isMapping(pipeline)) return;
    const at = (...segments: PathSegment[]) => ['pipelines', index, ...segments];
    const hasSink = pipeline.sink !== undefined;
    const hasRoutes = pipeline.routes !== undefined;
    if (hasSink && hasRoutes) issues.push(source.issue(at('routes'), 'set either sink (one sink) or routes (several), not both'));
    if (!hasSink && !hasRoutes) issues.push(source.issue(at('sink'), 'is required (or routes, to write to several sinks)'));
    if (!hasRoutes && pipeline.unrouted !== undefined) issues.push(source.issue(at('unrouted'), 'only applies with routes'));
    if (!Array.isArray(pipeline.routes)) return;
    if (pipeline.routes.length === 0) issues.push(source.issue(at('routes'), 'must list at least one route (or use sink)'));
    const seen = new Map<string, number>();
    pipeline.routes.forEach((route, r) => {
      if (!isMapping(route)) return;
      if (typeof route.name === 'string') {
        const first = seen.get(route.name);
        if (first === undefined) seen.set(route.name, r);
        else issues.push(source.issue(at('routes', r, 'name'), `duplicate route name "${route.name}" (routes[${first}] has it too)`));
      }
      if (typeof route.when === 'string' && route.when.trim() !== '') {
        try {
          JsonataExpression.compile(route.when, RECORD_VARIABLES);
        } catch (error) {
          if (!(error instanceof ExpressionSyntaxError)) throw error;
          issues.push(source.issue(at('routes', r, 'when'), `is not a valid JSONata expression: ${error.message}`));
        }
      }
    });
  });
}

/** Resolves each route's stages; undefined when any of them has a problem (reported to `resolution.issues`). */
export function resolveRoutes(resolution: StageResolution, pipelinePath: readonly PathSegment[], rawRoutes: readonly unknown[]): RouteConfig[] | undefined {
  let complete = true;
  const routes: RouteConfig[] = [];
  rawRoutes.forEach((raw, r) => {
    if (!isMapping(raw) || typeof raw.name !== 'string') {
      complete = false;
      return;
    }
    const path = [...pipelinePath, 'routes', r];
    const prefix = `routes.${raw.name}`;
    const rawTransforms = Array.isArray(raw.transforms) ? raw.transforms : [];
    const transforms = rawTransforms.map((stage, i) => resolveStage(resolution, 'transform', `${prefix}.transforms[${i}]`, [...path, 'transforms', i], stage));
    const sink = resolveStage(resolution, 'sink', `${prefix}.sink`, [...path, 'sink'], raw.sink);
    if (!sink || transforms.some((t) => !t)) {
      complete = false;
      return;
    }
    const channelled = [...(transforms as StageConfig[]).map((t, i) => ({ stage: t, at: [...path, 'transforms', i] })), { stage: sink, at: [...path, 'sink'] }].filter((s) => s.stage.channel);
    for (const { at } of channelled) {
      resolution.issues.push(resolution.source.issue([...at, 'channel'], 'the stages of a route run in-line inside the fan-out: a channel goes before the routes (set `channel: true` on nothing here; on Kafka the fan-out already has one)'));
    }
    if (channelled.length > 0) {
      complete = false;
      return;
    }
    routes.push({
      name: raw.name,
      ...(typeof raw.when === 'string' && raw.when.trim() !== '' ? { when: raw.when } : {}),
      transforms: transforms as StageConfig[],
      sink,
      path: formatPath(path),
    });
  });
  return complete && routes.length > 0 ? routes : undefined;
}
