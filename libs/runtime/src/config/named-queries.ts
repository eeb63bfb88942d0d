import { didYouMean } from '@sluice/sdk';
import type { ConfigFileIssue } from './config-issues.js';
import type { GrafanaSection, NamedQuerySection } from './config-schema.js';
import type { GrafanaConfig, NamedQueryConfig } from './sluice-config.js';
import type { YamlSource } from './yaml-source.js';

// The `queries:` and `grafana:` sections: checks across fields that the schema classes cannot
// express (a query names an existing pipeline, fields that only apply to one kind, ...), and the
// resolved, typed view the query module runs on. Whether the pipeline's sink can be queried, and
// whether the dataset and its columns exist, is only known once the sinks run: the query module
// checks that at startup.

type RawMap = Record<string, unknown>;

const isMapping = (value: unknown): value is RawMap => typeof value === 'object' && value !== null && !Array.isArray(value);

const TIMESERIES_ONLY = ['value', 'aggregation', 'weight', 'groupBy'] as const;
const TABLE_ONLY = ['columns', 'aggregations', 'orderBy', 'limit', 'useTimeRange'] as const;

function pipelineNames(raw: RawMap): string[] {
  if (!Array.isArray(raw.pipelines)) return [];
  return raw.pipelines.filter(isMapping).flatMap((p) => (typeof p.name === 'string' ? [p.name] : []));
}

function unknownPipelineMessage(source: YamlSource, index: number, name: string, known: readonly string[]): string {
  const quoted = source.isInterpolated(['queries', index, 'pipeline']) ? '(its name comes from an environment variable)' : `"${name}"`;
  const suggestion = didYouMean(name, known);
  if (suggestion) return `unknown pipeline ${quoted} (did you mean "${suggestion}"?)`;
  return `unknown pipeline ${quoted} (${known.length > 0 ? `pipelines: ${known.join(', ')}` : 'no pipeline is configured'})`;
}

function checkFilters(source: YamlSource, index: number, filters: unknown, issues: ConfigFileIssue[]): void {
  if (!Array.isArray(filters)) return;
  filters.forEach((filter, f) => {
    if (!isMapping(filter) || typeof filter.op !== 'string' || filter.value === undefined) return;
    const path = ['queries', index, 'filters', f, 'value'];
    if (filter.op === 'in' && !Array.isArray(filter.value)) issues.push(source.issue(path, 'must be a list with op "in"'));
    else if (filter.op !== 'in' && Array.isArray(filter.value)) issues.push(source.issue(path, `must be a single value with op "${filter.op}" (use op "in" for a list)`));
    else if (filter.value === null && filter.op !== '=' && filter.op !== '!=') issues.push(source.issue(path, `null can only be compared with "=" or "!=", not "${filter.op}"`));
  });
}

function checkTimeSeries(source: YamlSource, index: number, query: RawMap, issues: ConfigFileIssue[]): void {
  for (const key of TABLE_ONLY) if (key in query) issues.push(source.issue(['queries', index, key], 'only applies to kind: table'));
  const aggregation = query.aggregation ?? 'count';
  if (typeof aggregation !== 'string') return;
  if (aggregation === 'count' && query.value !== undefined) {
    issues.push(source.issue(['queries', index, 'value'], 'does not apply to aggregation count, which counts rows'));
  } else if (aggregation !== 'count' && query.value === undefined) {
    issues.push(source.issue(['queries', index, 'value'], `is required with aggregation "${aggregation}" (the column it aggregates)`));
  }
  if (query.weight !== undefined && aggregation !== 'avg') {
    issues.push(source.issue(['queries', index, 'weight'], `only applies to aggregation avg (a weighted average), not "${aggregation}"`));
  }
}

function checkTable(source: YamlSource, index: number, query: RawMap, issues: ConfigFileIssue[]): void {
  for (const key of TIMESERIES_ONLY) if (key in query) issues.push(source.issue(['queries', index, key], 'only applies to kind: timeseries'));
  if (!Array.isArray(query.aggregations)) return;
  const names = new Map<string, number>();
  query.aggregations.forEach((aggregation, a) => {
    if (!isMapping(aggregation)) return;
    if (typeof aggregation.fn === 'string' && aggregation.fn !== 'count' && aggregation.column === undefined) {
      issues.push(source.issue(['queries', index, 'aggregations', a, 'column'], `is required with fn "${aggregation.fn}" (the column it aggregates)`));
    }
    if (aggregation.weight !== undefined && typeof aggregation.fn === 'string' && aggregation.fn !== 'avg') {
      issues.push(source.issue(['queries', index, 'aggregations', a, 'weight'], `only applies to fn avg (a weighted average), not "${aggregation.fn}"`));
    }
    if (typeof aggregation.as !== 'string') return;
    const first = names.get(aggregation.as);
    if (first === undefined) names.set(aggregation.as, a);
    else issues.push(source.issue(['queries', index, 'aggregations', a, 'as'], `duplicate result column "${aggregation.as}" (aggregations[${first}] has it too)`));
    if (Array.isArray(query.columns) && query.columns.includes(aggregation.as)) {
      issues.push(source.issue(['queries', index, 'aggregations', a, 'as'], `"${aggregation.as}" is also a grouped column: give the aggregation another name`));
    }
  });
}

/**
 * Checks of `queries:` across fields: unique names, the pipeline exists (with a suggestion), the
 * fields match the kind, aggregates name their column, filter values match their operator.
 */
export function checkQueries(source: YamlSource, raw: RawMap, issues: ConfigFileIssue[]): void {
  if (!Array.isArray(raw.queries)) return;
  const pipelines = pipelineNames(raw);
  const seen = new Map<string, number>();
  raw.queries.forEach((query, index) => {
    if (!isMapping(query)) return;
    if (typeof query.name === 'string') {
      const first = seen.get(query.name);
      if (first === undefined) seen.set(query.name, index);
      else issues.push(source.issue(['queries', index, 'name'], `duplicate query name "${query.name}" (queries[${first}] has it too)`));
    }
    if (typeof query.pipeline === 'string' && query.pipeline.trim() !== '' && !pipelines.includes(query.pipeline)) {
      issues.push(source.issue(['queries', index, 'pipeline'], unknownPipelineMessage(source, index, query.pipeline, pipelines)));
    }
    if (query.kind === 'timeseries') checkTimeSeries(source, index, query, issues);
    else if (query.kind === 'table') checkTable(source, index, query, issues);
    checkFilters(source, index, query.filters, issues);
  });
}

/** The typed view of a validated `queries:` list. */
export function resolveQueries(queries: readonly NamedQuerySection[]): NamedQueryConfig[] {
  return queries.map((query, index) => {
    const base = {
      name: query.name,
      ...(query.description ? { description: query.description } : {}),
      pipeline: query.pipeline,
      dataset: query.dataset,
      filters: (query.filters ?? []).map((f) => ({ column: f.column, op: f.op, value: f.value })),
      rangeMs: query.rangeMs,
      path: `queries[${index}]`,
    };
    if (query.kind === 'timeseries') {
      return {
        ...base,
        kind: 'timeseries',
        aggregation: query.aggregation ?? 'count',
        ...(query.value === undefined ? {} : { value: query.value }),
        ...(query.weight === undefined ? {} : { weight: query.weight }),
        ...(query.groupBy === undefined ? {} : { groupBy: query.groupBy }),
      };
    }
    return {
      ...base,
      kind: 'table',
      ...(query.columns === undefined ? {} : { columns: [...query.columns] }),
      ...(query.aggregations === undefined ? {} : { aggregations: query.aggregations.map((a) => ({ ...(a.column === undefined ? {} : { column: a.column }), fn: a.fn, ...(a.weight === undefined ? {} : { weight: a.weight }), as: a.as })) }),
      ...(query.orderBy === undefined ? {} : { orderBy: query.orderBy.map((o) => ({ column: o.column, direction: o.direction })) }),
      ...(query.limit === undefined ? {} : { limit: query.limit }),
      ...(query.useTimeRange === undefined ? {} : { useTimeRange: query.useTimeRange }),
    };
  });
}

/** The typed view of a validated `grafana:` section (the prefix without a trailing slash). */
export function resolveGrafana(grafana: GrafanaSection): GrafanaConfig {
  return {
    enabled: grafana.enabled,
    prefix: grafana.prefix.replace(/\/+$/, ''),
    requireToken: grafana.requireToken,
    datasets: grafana.datasets,
    cors: { origins: [...grafana.cors.origins] },
  };
}
