import { Body, Get, HttpCode, Post } from '@nestjs/common';
import { answering, QueryRequestError } from '../query-errors.js';
import { GrafanaCatalog } from './grafana-catalog.js';
import { requestBody } from './grafana-request.js';

/**
 * What both Grafana datasources share: `GET /` answering 200 ("Test connection" / "Save & test"),
 * and the ad hoc filter endpoints `POST /tag-keys` (an empty body is fine) and `POST /tag-values`
 * (`{ "key": <column> }`). Every POST answers 200, as the datasources expect.
 */
export abstract class GrafanaBaseController {
  constructor(protected readonly catalog: GrafanaCatalog) {}

  protected abstract readonly datasource: string;

  @Get()
  test() {
    return { status: 'ok', message: `Sluice ${this.datasource} endpoints are working` };
  }

  /** `[{ "type": "string" | "number", "text": <column> }]` over the queryable datasets. */
  @Post('tag-keys')
  @HttpCode(200)
  tagKeys(@Body() body: unknown) {
    return answering(async () => {
      requestBody(body);
      return this.catalog.tagKeys();
    });
  }

  /** `[{ "text": <value> }]`: the distinct values of the column `key`. */
  @Post('tag-values')
  @HttpCode(200)
  tagValues(@Body() body: unknown) {
    return answering(async () => {
      const { key } = requestBody(body);
      if (typeof key !== 'string' || key === '') throw new QueryRequestError('key is required: the ad hoc filter key (a column) whose values to list');
      return this.catalog.tagValues(key);
    });
  }
}
