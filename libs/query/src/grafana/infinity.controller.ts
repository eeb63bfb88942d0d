import { Get, Injectable, Query, UseGuards } from '@nestjs/common';
import { GrafanaTokenGuard } from '../access.guards.js';
import { answering, QueryRequestError } from '../query-errors.js';
import { runQuery } from '../query-runner.js';
import { toRows } from '../response-format.js';
import { bucketWidth, optionalPositive, resolveWindow } from '../time-range.js';
import { GrafanaCatalog } from './grafana-catalog.js';
import { DEFAULT_RANGE_MS } from './grafana-request.js';

const RESERVED = ['target', 'from', 'to', 'intervalMs', 'maxDataPoints'];

/**
 * For Grafana's Infinity datasource (type JSON, method GET), mounted at `<grafana.prefix>/infinity`:
 * `GET ?target=<named query or pipeline/dataset>&from=${__from}&to=${__to}&intervalMs=${__interval_ms}&maxDataPoints=...`
 * answers plain JSON rows, an array of flat objects keyed by column name (Infinity's parsers read
 * it as is; its "Data Frame" format turns it into a frame). A time series comes wide:
 * `[{ "Time": epochMs, "<series>": value, ... }]`, ascending. Other query parameters are the
 * payload of a dataset target (`aggregation=avg&value=speed&groupBy=status`, `kind=table&limit=50`).
 * `from`/`to` default to the query's `rangeMs` (24 h for datasets) up to now.
 */
@Injectable()
@UseGuards(GrafanaTokenGuard)
export class InfinityController {
  constructor(private readonly catalog: GrafanaCatalog) {}

  @Get()
  rows(@Query() parameters: Record<string, unknown>) {
    return answering(async () => {
      const target = parameters.target;
      if (typeof target !== 'string' || target.trim() === '') {
        throw new QueryRequestError('target is required: ?target=<named query or <pipeline>/<dataset>>&from=${__from}&to=${__to}');
      }
      const payload = Object.fromEntries(Object.entries(parameters).filter(([key]) => !RESERVED.includes(key)));
      const resolved = await this.catalog.resolve(target.trim(), payload, 'query');
      const window = resolveWindow(parameters, resolved.named?.rangeMs ?? DEFAULT_RANGE_MS);
      const intervalMs = bucketWidth(window, optionalPositive(parameters.intervalMs, 'intervalMs', false), optionalPositive(parameters.maxDataPoints, 'maxDataPoints', true));
      const outcome = await runQuery(resolved.queryable, resolved.spec, resolved.dataset, { ...window, intervalMs }, [], `target "${resolved.name}"`);
      return toRows(outcome, resolved.name);
    });
  }
}
