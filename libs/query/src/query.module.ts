import { Inject, Module, RequestMethod, type DynamicModule, type MiddlewareConsumer, type NestModule, type Type } from '@nestjs/common';
import { GrafanaTokenGuard, QueryTokenGuard } from './access.guards.js';
import { GrafanaCorsMiddleware } from './grafana/cors.middleware.js';
import { GrafanaCatalog } from './grafana/grafana-catalog.js';
import { GrafanaQueries } from './grafana/grafana-queries.js';
import { InfinityController } from './grafana/infinity.controller.js';
import { mountController } from './grafana/mounted-controller.js';
import { SimpleJsonController } from './grafana/simple-json.controller.js';
import { SimpodController } from './grafana/simpod.controller.js';
import { QueriesController } from './queries.controller.js';
import { HOST_TOKEN_GUARD, QUERY_OPTIONS, type QueryModuleOptions } from './query-options.js';
import { QueryRegistry } from './query-registry.js';

/**
 * Named queries and Grafana datasource endpoints, built only on the SDK's queryable capability:
 * - `GET /api/queries`, `GET /api/queries/:name` (always; behind the host's token guard);
 * - with `grafana.enabled`, under `grafana.prefix` (default `/grafana`): the JSON (simpod)
 *   datasource API at `<prefix>`, the SimpleJSON API at `<prefix>/simple`, and plain JSON rows for
 *   the Infinity datasource at `<prefix>/infinity`; CORS for `grafana.cors.origins`.
 * Needs the SLUICE_RUNTIME provider and the config token of the guard from the host module.
 */
@Module({})
export class QueryModule implements NestModule {
  constructor(@Inject(QUERY_OPTIONS) private readonly options: QueryModuleOptions) {}

  static forRoot(options: QueryModuleOptions): DynamicModule {
    const grafana = options.config.grafana;
    const controllers: Type<object>[] = [QueriesController];
    if (grafana.enabled) {
      controllers.push(
        mountController(SimpodController, grafana.prefix),
        mountController(SimpleJsonController, `${grafana.prefix}/simple`),
        mountController(InfinityController, `${grafana.prefix}/infinity`),
      );
    }
    return {
      module: QueryModule,
      controllers,
      providers: [
        { provide: QUERY_OPTIONS, useValue: options },
        options.guard,
        { provide: HOST_TOKEN_GUARD, useExisting: options.guard },
        QueryTokenGuard,
        GrafanaTokenGuard,
        QueryRegistry,
        GrafanaCatalog,
        GrafanaQueries,
        GrafanaCorsMiddleware,
      ],
      exports: [QueryRegistry],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    const grafana = this.options.config.grafana;
    if (!grafana.enabled || grafana.cors.origins.length === 0) return;
    consumer
      .apply(GrafanaCorsMiddleware)
      .forRoutes({ path: grafana.prefix, method: RequestMethod.ALL }, { path: `${grafana.prefix}/{*rest}`, method: RequestMethod.ALL });
  }
}
