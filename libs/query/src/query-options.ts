import type { CanActivate, Type } from '@nestjs/common';
import type { SluiceConfig } from '#runtime';

/** What the host hands the query module. */
export interface QueryModuleOptions {
  /** The host's config: its `queries`, `grafana` and `http` sections. */
  readonly config: SluiceConfig;
  /**
   * The host's bearer-token guard (TokenGuard): it protects /api/queries always, and the Grafana
   * endpoints when `grafana.requireToken` is on. It answers 401 itself when the token is wrong.
   */
  readonly guard: Type<CanActivate>;
}

/** DI token of the {@link QueryModuleOptions}. */
export const QUERY_OPTIONS = Symbol('QUERY_OPTIONS');
/** DI token of the host's token guard instance. */
export const HOST_TOKEN_GUARD = Symbol('HOST_TOKEN_GUARD');
