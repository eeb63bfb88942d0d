import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import type { NamedQueryConfig } from '#runtime';
import { QueryTokenGuard } from './access.guards.js';
import { answering, QueryRequestError } from './query-errors.js';
import { QueryRegistry } from './query-registry.js';
import { runQuery } from './query-runner.js';
import { toRestBody } from './response-format.js';
import { bucketWidth, optionalPositive, resolveWindow } from './time-range.js';

const PARAMETERS = ['from', 'to', 'intervalMs', 'maxDataPoints'];

/** A named query as GET /api/queries lists it: its definition, without config bookkeeping. */
function describe(query: NamedQueryConfig): Record<string, unknown> {
  const { path: _path, ...definition } = query;
  return definition;
}

/**
 * The named queries over REST, behind the host's token guard:
 * - `GET /api/queries`: `{ queries: [definition...] }`;
 * - `GET /api/queries/:name?from=&to=&intervalMs=&maxDataPoints=`: the result. `from`/`to` are
 *   epoch ms, ISO 8601 or `now-6h`-style (default: the query's `rangeMs` up to now); a time series
 *   is bucketed `max(intervalMs, range / maxDataPoints)` wide (maxDataPoints defaults to 1000).
 */
@Controller('api/queries')
@UseGuards(QueryTokenGuard)
export class QueriesController {
  constructor(private readonly registry: QueryRegistry) {}

  @Get()
  list() {
    return { queries: this.registry.queries.map(describe) };
  }

  @Get(':name')
  run(@Param('name') name: string, @Query() parameters: Record<string, unknown>) {
    const query = this.registry.require(name);
    return answering(async () => {
      const unknown = Object.keys(parameters).filter((key) => !PARAMETERS.includes(key));
      if (unknown.length > 0) throw new QueryRequestError(`unknown query parameter(s) ${unknown.map((k) => `"${k}"`).join(', ')}; known: ${PARAMETERS.join(', ')}`);
      const window = resolveWindow(parameters, query.rangeMs);
      const intervalMs = bucketWidth(window, optionalPositive(parameters.intervalMs, 'intervalMs', false), optionalPositive(parameters.maxDataPoints, 'maxDataPoints', true));
      const outcome = await runQuery(this.registry.queryable(query.pipeline), query, this.registry.datasetOf(query), { ...window, intervalMs }, [], `query "${query.name}"`);
      return toRestBody(query.name, outcome);
    });
  }
}
