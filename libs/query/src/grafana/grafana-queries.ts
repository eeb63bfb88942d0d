import { Injectable } from '@nestjs/common';
import { runQuery } from '../query-runner.js';
import { QueryRequestError } from '../query-errors.js';
import { seriesToTable, toAnnotations, toGrafanaSeries, toGrafanaTable, type GrafanaAnnotation, type GrafanaSeries, type GrafanaTable } from '../response-format.js';
import { adhocFiltersFor } from './adhoc-filters.js';
import { GrafanaCatalog } from './grafana-catalog.js';
import { parseRange, requestBody, type GrafanaQueryRequest, type GrafanaTarget } from './grafana-request.js';

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Runs the targets of a Grafana /query request (both datasources) and SimpleJSON annotations. */
@Injectable()
export class GrafanaQueries {
  constructor(private readonly catalog: GrafanaCatalog) {}

  /**
   * Every target of the request, in order; a target may answer several series (one per group).
   * simpod: a target's kind comes from the named query or its payload. SimpleJSON: from its type:
   * a time series asked as `table` comes as a wide table (Time + one column per series); a dataset
   * target is queried as the type asks; a named table query asked as `timeserie` is a 400.
   */
  async query(request: GrafanaQueryRequest, format: 'simpod' | 'simple-json'): Promise<Array<GrafanaSeries | GrafanaTable>> {
    const answers = await Promise.all(request.targets.map((target) => this.one(request, target, format)));
    return answers.flat();
  }

  private async one(request: GrafanaQueryRequest, target: GrafanaTarget, format: 'simpod' | 'simple-json'): Promise<Array<GrafanaSeries | GrafanaTable>> {
    const where = `targets[${target.index}]`;
    let payload = target.payload;
    if (format === 'simple-json' && !this.isNamed(target.target)) payload = { kind: target.type === 'table' ? 'table' : 'timeseries' };
    const resolved = await this.catalog.resolve(target.target, payload, where);
    if (format === 'simple-json' && resolved.spec.kind === 'table' && target.type === 'timeserie') {
      throw new QueryRequestError(`${where}: "${target.target}" is a table query: set the query's "Format as" to Table (type "table")`);
    }
    const filters = adhocFiltersFor(request.adhocFilters, resolved.dataset);
    const outcome = await runQuery(resolved.queryable, resolved.spec, resolved.dataset, request.window, filters, `target "${resolved.name}"`);
    if (outcome.kind === 'table') return [toGrafanaTable(outcome, target.refId)];
    if (format === 'simple-json' && target.type === 'table') return [toGrafanaTable(seriesToTable(outcome, resolved.name), target.refId)];
    return toGrafanaSeries(outcome, resolved.name, target.refId);
  }

  private isNamed(target: string): boolean {
    return this.catalog.isNamedQuery(target);
  }

  /**
   * SimpleJSON `/annotations`: `annotation.query` names a named table query or a
   * `<pipeline>/<dataset>`; its rows in `range` become annotations (see `toAnnotations`).
   */
  async annotations(rawBody: unknown): Promise<GrafanaAnnotation[]> {
    const body = requestBody(rawBody);
    const window = parseRange(body, true);
    const annotation = body.annotation;
    if (!isMapping(annotation)) throw new QueryRequestError('annotation is required: { "name": ..., "query": <named query or <pipeline>/<dataset>> }');
    const query = annotation.query;
    if (typeof query !== 'string' || query.trim() === '') {
      throw new QueryRequestError('annotation.query is required: the named table query or <pipeline>/<dataset> whose rows become annotations');
    }
    const named = this.catalog.isNamedQuery(query.trim());
    const resolved = await this.catalog.resolve(query.trim(), named ? undefined : { kind: 'table' }, 'annotation.query');
    if (resolved.spec.kind !== 'table') throw new QueryRequestError(`annotation.query: "${resolved.name}" is a time-series query; annotations need a table query with a time column`);
    const outcome = await runQuery(resolved.queryable, resolved.spec, resolved.dataset, { ...window, intervalMs: 1 }, [], `annotation "${resolved.name}"`);
    if (outcome.kind !== 'table') return [];
    const title = typeof annotation.name === 'string' && annotation.name !== '' ? annotation.name : resolved.name;
    const annotations = toAnnotations(outcome, annotation, title, window);
    if (!annotations) throw new QueryRequestError(`annotation.query: "${resolved.name}" returns no time column, so its rows have no place on the time axis`);
    return annotations;
  }
}
