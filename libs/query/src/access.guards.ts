import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { HOST_TOKEN_GUARD, QUERY_OPTIONS, type QueryModuleOptions } from './query-options.js';

/** /api/queries: the host's token guard, as on every data endpoint (bearer token when http.token is set). */
@Injectable()
export class QueryTokenGuard implements CanActivate {
  constructor(@Inject(HOST_TOKEN_GUARD) private readonly tokenGuard: CanActivate) {}

  canActivate(context: ExecutionContext) {
    return this.tokenGuard.canActivate(context);
  }
}

/**
 * The Grafana endpoints: the host's token guard when `grafana.requireToken` is on (the default),
 * so a configured http.token is required from the datasource too; open otherwise.
 */
@Injectable()
export class GrafanaTokenGuard implements CanActivate {
  constructor(
    @Inject(HOST_TOKEN_GUARD) private readonly tokenGuard: CanActivate,
    @Inject(QUERY_OPTIONS) private readonly options: QueryModuleOptions,
  ) {}

  canActivate(context: ExecutionContext) {
    return this.options.config.grafana.requireToken ? this.tokenGuard.canActivate(context) : true;
  }
}
