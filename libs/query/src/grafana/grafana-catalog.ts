import { Inject, Injectable } from '@nestjs/common';
import { didYouMean, type DatasetDescription, type Queryable } from '@sluice/sdk';
import type { NamedQueryConfig } from '#runtime';
import { QueryRequestError } from '../query-errors.js';
import { QUERY_OPTIONS, type QueryModuleOptions } from '../query-options.js';
import { QueryRegistry, type QueryableSink } from '../query-registry.js';
import { runQuery } from '../query-runner.js';
import type { QuerySpec } from '../query-spec.js';
import type { TimeWindow } from '../time-range.js';
import { datasetSpec, payloadDefinitions, payloadEntries, type PayloadDefinition } from './dataset-payload.js';

/** Most values a tag-values or variable answer lists. */
export const MAX_VALUES = 1000;

/** A Grafana target resolved to what runs it. */
export interface ResolvedTarget {
  readonly name: string;
  readonly queryable: Queryable;
  readonly spec: QuerySpec;
  /** The dataset's description (decides the time restriction of tables and which ad hoc filters apply). */
  readonly dataset: DatasetDescription | undefined;
  /** Set when the target is a named query. */
  readonly named?: NamedQueryConfig;
}

/** A metric of the JSON datasource's `/metrics` answer. */
export interface MetricConfig {
  readonly label: string;
  readonly value: string;
  readonly payloads: readonly PayloadDefinition[];
}

interface DatasetTarget {
  readonly name: string;
  readonly sink: QueryableSink;
  readonly dataset: DatasetDescription;
}

/**
 * What the Grafana endpoints can query, in one namespace of targets:
 * - every named query, by its name (its definition is the config's; it takes no payload);
 * - with `grafana.datasets` on, every dataset of every queryable sink as `<pipeline>/<dataset>`,
 *   whose payload says what to compute (see `datasetSpec`);
 * - for variables and tag values, `<pipeline>/<dataset>/<column>`: the distinct values of a column.
 */
@Injectable()
export class GrafanaCatalog {
  constructor(
    private readonly registry: QueryRegistry,
    @Inject(QUERY_OPTIONS) private readonly options: QueryModuleOptions,
  ) {}

  private get datasetsOffered(): boolean {
    return this.options.config.grafana.datasets;
  }

  private async datasetTargets(): Promise<DatasetTarget[]> {
    if (!this.datasetsOffered) return [];
    const sinks = await this.registry.queryableSinks();
    return sinks.flatMap((sink) => sink.datasets.map((dataset) => ({ name: `${sink.pipeline}/${dataset.name}`, sink, dataset })));
  }

  /** Whether `target` is the name of a named query. */
  isNamedQuery(target: string): boolean {
    return this.registry.find(target) !== undefined;
  }

  /** Every target name: the named queries, then the datasets. */
  async targetNames(): Promise<string[]> {
    return [...this.registry.queries.map((q) => q.name), ...(await this.datasetTargets()).map((t) => t.name)];
  }

  /** The JSON datasource's metric list: named queries (no payloads), then datasets (with their payloads). */
  async metrics(): Promise<MetricConfig[]> {
    return [
      ...this.registry.queries.map((q) => ({ label: q.description ? `${q.name} (${q.description})` : q.name, value: q.name, payloads: [] })),
      ...(await this.datasetTargets()).map((t) => ({ label: `${t.name} (dataset)`, value: t.name, payloads: payloadDefinitions(t.dataset) })),
    ];
  }

  /** The dataset behind a `<pipeline>/<dataset>` target, or undefined when it is none. */
  async datasetTarget(target: string): Promise<DatasetTarget | undefined> {
    if (!this.datasetsOffered || !target.includes('/')) return undefined;
    return (await this.datasetTargets()).find((t) => t.name === target);
  }

  /** The 400 for a target that is neither a named query nor an offered dataset, with a suggestion. */
  async unknownTarget(target: string, where: string): Promise<QueryRequestError> {
    const names = await this.targetNames();
    const suggestion = didYouMean(target, names);
    return new QueryRequestError(
      `${where}: unknown target "${target}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; targets: ${names.length > 0 ? names.join(', ') : 'none (no named queries, no queryable sinks)'}`,
    );
  }

  /** Resolves a target and its payload; 400 for an unknown target or a payload that does not fit. */
  async resolve(target: string, payload: unknown, where: string): Promise<ResolvedTarget> {
    const named = this.registry.find(target);
    if (named) {
      if (Object.keys(payloadEntries(payload, where)).length > 0) {
        throw new QueryRequestError(`${where}.payload: "${target}" is a named query and takes no payload (its definition is in the config)`);
      }
      return { name: named.name, queryable: this.registry.queryable(named.pipeline), spec: named, dataset: this.registry.datasetOf(named), named };
    }
    const dataset = await this.datasetTarget(target);
    if (!dataset) throw await this.unknownTarget(target, where);
    return { name: dataset.name, queryable: dataset.sink.queryable, spec: datasetSpec(payload, dataset.dataset, where), dataset: dataset.dataset };
  }

  /** The datasets ad hoc filters can apply to: those of the named queries, and every offered dataset. */
  private async filterableDatasets(): Promise<Array<{ queryable: Queryable; dataset: DatasetDescription }>> {
    const out = new Map<string, { queryable: Queryable; dataset: DatasetDescription }>();
    for (const query of this.registry.queries) {
      const dataset = this.registry.datasetOf(query);
      if (dataset) out.set(`${query.pipeline}/${dataset.name}`, { queryable: this.registry.queryable(query.pipeline), dataset });
    }
    for (const t of await this.datasetTargets()) out.set(t.name, { queryable: t.sink.queryable, dataset: t.dataset });
    return [...out.values()];
  }

  /** Ad hoc filter keys: the columns of the filterable datasets (json columns cannot be filtered). */
  async tagKeys(): Promise<Array<{ type: 'string' | 'number'; text: string }>> {
    const keys = new Map<string, 'string' | 'number'>();
    for (const { dataset } of await this.filterableDatasets()) {
      for (const column of dataset.columns) {
        if (column.type === 'json') continue;
        const type = column.type === 'number' ? 'number' : 'string';
        const seen = keys.get(column.name);
        keys.set(column.name, seen === undefined || seen === type ? type : 'string');
      }
    }
    return [...keys].map(([text, type]) => ({ type, text }));
  }

  /** Ad hoc filter values of `key`: its distinct values over the filterable datasets that have it. */
  async tagValues(key: string): Promise<Array<{ text: string }>> {
    const values = new Set<string>();
    for (const { queryable, dataset } of await this.filterableDatasets()) {
      const column = dataset.columns.find((c) => c.name === key);
      if (!column || column.type === 'json') continue;
      for (const value of await distinctValues(queryable, dataset.name, key)) values.add(value);
    }
    return [...values].sort(compareValues).slice(0, MAX_VALUES).map((text) => ({ text }));
  }

  /**
   * The values of a template variable: a named table query's rows (text from the first column,
   * value from the second, or the first when there is one), or `<pipeline>/<dataset>/<column>`'s
   * distinct values.
   */
  async variableValues(target: string, window: TimeWindow, where: string): Promise<Array<{ text: string; value: string }>> {
    const named = this.registry.find(target);
    if (named) {
      if (named.kind !== 'table') throw new QueryRequestError(`${where}: "${target}" is a time-series query; a variable needs a table query or <pipeline>/<dataset>/<column>`);
      const outcome = await runQuery(this.registry.queryable(named.pipeline), named, this.registry.datasetOf(named), { ...window, intervalMs: 1 }, [], `query "${named.name}"`);
      if (outcome.kind !== 'table') return [];
      return outcome.rows.slice(0, MAX_VALUES).map((row) => ({ text: label(row[0]), value: label(row.length > 1 ? row[1] : row[0]) }));
    }
    const column = await this.columnTarget(target);
    if (!column) {
      const names = await this.targetNames();
      const suggestion = didYouMean(target, names);
      throw new QueryRequestError(
        `${where}: "${target}" is neither a named table query nor <pipeline>/<dataset>/<column>${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
      );
    }
    const values = await distinctValues(column.sink.queryable, column.dataset.name, column.column);
    return values.sort(compareValues).slice(0, MAX_VALUES).map((v) => ({ text: v, value: v }));
  }

  /** Whether `target` has the `<pipeline>/<dataset>/<column>` form (two slashes). */
  static isColumnTarget(target: string): boolean {
    const first = target.indexOf('/');
    return first > 0 && target.lastIndexOf('/') > first;
  }

  private async columnTarget(target: string): Promise<(DatasetTarget & { column: string }) | undefined> {
    if (!GrafanaCatalog.isColumnTarget(target)) return undefined;
    const cut = target.lastIndexOf('/');
    const dataset = await this.datasetTarget(target.slice(0, cut));
    const column = target.slice(cut + 1);
    if (!dataset) return undefined;
    const found = dataset.dataset.columns.find((c) => c.name === column);
    if (!found) {
      const suggestion = didYouMean(column, dataset.dataset.columns.map((c) => c.name));
      throw new QueryRequestError(`unknown column "${column}" in dataset "${dataset.name}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`);
    }
    if (found.type === 'json') throw new QueryRequestError(`column "${column}" of "${dataset.name}" is json: it has no distinct values to list`);
    return { ...dataset, column };
  }
}

function label(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Numbers in numeric order, then text. */
function compareValues(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The distinct non-null values of a column, as text: a grouped table query through the queryable capability. */
export async function distinctValues(queryable: Queryable, dataset: string, column: string): Promise<string[]> {
  const table = await queryable.queryTable({
    dataset,
    columns: [column],
    aggregations: [{ fn: 'count', as: '__rows' }],
    orderBy: [{ column, direction: 'asc' }],
    limit: MAX_VALUES,
  });
  return table.rows.filter((row) => row[0] !== null && row[0] !== undefined).map((row) => label(row[0]));
}
