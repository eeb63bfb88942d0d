import { Body, HttpCode, Injectable, Post, UseGuards } from '@nestjs/common';
import { GrafanaTokenGuard } from '../access.guards.js';
import { answering, QueryRequestError } from '../query-errors.js';
import { GrafanaBaseController } from './grafana-base.controller.js';
import { GrafanaCatalog } from './grafana-catalog.js';
import { GrafanaQueries } from './grafana-queries.js';
import { parseQueryRequest, parseRange, requestBody } from './grafana-request.js';

/**
 * The legacy SimpleJSON datasource (grafana-simple-json-datasource) API, mounted at
 * `<grafana.prefix>/simple`: `GET /`, `POST /search`, `/query` (targets with type `timeserie` or
 * `table`), `/annotations`, `/tag-keys`, `/tag-values`, as its README describes them.
 */
@Injectable()
@UseGuards(GrafanaTokenGuard)
export class SimpleJsonController extends GrafanaBaseController {
  protected readonly datasource = 'SimpleJSON';

  constructor(
    catalog: GrafanaCatalog,
    private readonly queries: GrafanaQueries,
  ) {
    super(catalog);
  }

  /**
   * `{ target }` → the target names containing `target` (all when empty), for the metric picker;
   * for `<pipeline>/<dataset>/<column>` (a template variable query), that column's distinct values
   * as `[{ text, value }]`.
   */
  @Post('search')
  @HttpCode(200)
  search(@Body() body: unknown) {
    return answering(async () => {
      const request = requestBody(body);
      const target = request.target ?? '';
      if (typeof target !== 'string') throw new QueryRequestError('target must be a string: text the target names should contain');
      const wanted = target.trim();
      if (GrafanaCatalog.isColumnTarget(wanted)) return this.catalog.variableValues(wanted, parseRange(request, false), 'target');
      const names = await this.catalog.targetNames();
      return names.filter((name) => name.toLowerCase().includes(wanted.toLowerCase()));
    });
  }

  /** Time series `[{ target, datapoints }]` or tables `{ type: "table", columns, rows }`, per target type. */
  @Post('query')
  @HttpCode(200)
  query(@Body() body: unknown) {
    return answering(() => this.queries.query(parseQueryRequest(body, 'simple-json'), 'simple-json'));
  }

  /** `{ range, annotation: { name, query, ... } }` → `[{ annotation, time, title, text?, tags? }]`. */
  @Post('annotations')
  @HttpCode(200)
  annotations(@Body() body: unknown) {
    return answering(() => this.queries.annotations(body));
  }
}
