import { defineSink, isQueryable, JsonataExpression, RECORD_VARIABLES, type PluginContext, type PluginLogger, type Sink, type Transform } from '@sluice/sdk';
import type { RouteConfig, StageConfig } from '../../config/sluice-config.js';
import { QueryableRoutedSink } from './queryable-routed-sink.js';
import type { Route, RouteMember } from './route.js';
import { RoutedSink, type UnroutedPolicy } from './routed-sink.js';

/** The plugin name the `routes` sink reports under (stage `sink` of a pipeline with `routes:`). */
export const ROUTES_SINK_PLUGIN = 'routes';

/** The resolved config of the `routes` sink: built by the config loader from `routes:`, not written by users. */
export class RoutesSinkConfig {
  routes: RouteConfig[] = [];
  unrouted: UnroutedPolicy = 'deadLetter';
}

/** A logger that adds `fields` to every line. */
function withFields(logger: PluginLogger, fields: Record<string, unknown>): PluginLogger {
  const log =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (first: Record<string, unknown> | string, message?: string): void => {
      if (typeof first === 'string') logger[level]({ ...fields }, first);
      else logger[level]({ ...fields, ...first }, message ?? '');
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') } as PluginLogger;
}

function member<I>(stage: StageConfig, context: PluginContext): RouteMember<I> {
  const own: PluginContext = { ...context, stage: stage.name, logger: withFields(context.logger, { stage: stage.name, plugin: stage.plugin }) };
  const instance = (stage.definition.create as (config: object, context: PluginContext) => I)(stage.config, own);
  return { stage: stage.name, plugin: stage.plugin, instance };
}

/** Creates the routes' plugin instances and the sink that fans records out to them. */
export function createRoutesSink(config: RoutesSinkConfig, context: PluginContext): RoutedSink {
  const routes: Route[] = config.routes.map((route) => ({
    name: route.name,
    ...(route.when === undefined ? {} : { when: JsonataExpression.compile(route.when, RECORD_VARIABLES) }),
    transforms: route.transforms.map((stage) => member<Transform>(stage, context)),
    sink: member<Sink>(route.sink, context),
  }));
  const queryable = routes.some((route) => isQueryable(route.sink.instance));
  return queryable ? new QueryableRoutedSink(routes, config.unrouted, context.logger) : new RoutedSink(routes, config.unrouted, context.logger);
}

/**
 * The runtime's own sink for fan-out. It is not discovered as a plugin: the config loader makes it
 * the `sink` stage of a pipeline that has `routes:`.
 */
export const routesSinkDefinition = defineSink<RoutesSinkConfig>({
  name: ROUTES_SINK_PLUGIN,
  version: '1.0.0',
  description: 'Fan-out to several sinks (the routes of a pipeline), each with a condition and transforms of its own.',
  config: RoutesSinkConfig,
  create: createRoutesSink,
});
