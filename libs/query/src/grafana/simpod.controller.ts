import { Body, HttpCode, Injectable, Post, UseGuards } from '@nestjs/common';
import { GrafanaTokenGuard } from '../access.guards.js';
import { answering, QueryRequestError } from '../query-errors.js';
import { payloadOptions } from './dataset-payload.js';
import { GrafanaBaseController } from './grafana-base.controller.js';
import { GrafanaCatalog } from './grafana-catalog.js';
import { GrafanaQueries } from './grafana-queries.js';
import { parseQueryRequest, parseRange, requestBody } from './grafana-request.js';

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The JSON datasource (simpod-json-datasource) API, mounted at `<grafana.prefix>`:
 * `GET /`, `POST /metrics`, `/metric-payload-options`, `/query`, `/variable`, `/tag-keys`,
 * `/tag-values`, as its README and openapi.yaml describe them.
 */
@Injectable()
@UseGuards(GrafanaTokenGuard)
export class SimpodController extends GrafanaBaseController {
  protected readonly datasource = 'JSON datasource';

  constructor(
    catalog: GrafanaCatalog,
    private readonly queries: GrafanaQueries,
  ) {
    super(catalog);
  }

  /** `[{ label, value, payloads }]`: the named queries, then `<pipeline>/<dataset>` with their payloads. */
  @Post('metrics')
  @HttpCode(200)
  metrics(@Body() body: unknown) {
    return answering(async () => {
      requestBody(body);
      return this.catalog.metrics();
    });
  }

  /** `{ metric, payload, name }` → `[{ label, value }]`: the options of payload `name` of `metric`. */
  @Post('metric-payload-options')
  @HttpCode(200)
  metricPayloadOptions(@Body() body: unknown) {
    return answering(async () => {
      const { metric, name } = requestBody(body);
      if (typeof metric !== 'string' || metric === '') throw new QueryRequestError('metric is required: the metric whose payload options to list');
      if (typeof name !== 'string' || name === '') throw new QueryRequestError('name is required: the payload whose options to list');
      if (this.catalog.isNamedQuery(metric)) throw new QueryRequestError(`metric "${metric}" is a named query: it has no payloads`);
      const target = await this.catalog.datasetTarget(metric);
      if (!target) throw await this.catalog.unknownTarget(metric, 'metric');
      return payloadOptions(name, target.dataset);
    });
  }

  /** Time series `[{ target, datapoints: [[value, epochMs]...] }]` and tables `{ type: "table", columns, rows }`. */
  @Post('query')
  @HttpCode(200)
  query(@Body() body: unknown) {
    return answering(() => this.queries.query(parseQueryRequest(body, 'simpod'), 'simpod'));
  }

  /** `{ payload: { target } | "<target>", range }` → `[{ __text, __value }]`. */
  @Post('variable')
  @HttpCode(200)
  variable(@Body() body: unknown) {
    return answering(async () => {
      const request = requestBody(body);
      const payload = request.payload;
      const target = typeof payload === 'string' ? payload : isMapping(payload) && typeof payload.target === 'string' ? payload.target : undefined;
      if (target === undefined || target.trim() === '') {
        throw new QueryRequestError('payload.target is required: a named table query, or <pipeline>/<dataset>/<column> for the distinct values of a column');
      }
      const values = await this.catalog.variableValues(target.trim(), parseRange(request, false), 'payload.target');
      return values.map((v) => ({ __text: v.text, __value: v.value }));
    });
  }
}
