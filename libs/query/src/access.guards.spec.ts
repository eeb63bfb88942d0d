import { describe, expect, it, jest } from '@jest/globals';
import { UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { GrafanaTokenGuard, QueryTokenGuard } from './access.guards.js';
import type { QueryModuleOptions } from './query-options.js';

const context = {} as ExecutionContext;

function hostGuard(allow: boolean) {
  const canActivate = jest.fn((_context: ExecutionContext) => {
    if (!allow) throw new UnauthorizedException('a valid bearer token is required');
    return true;
  });
  return { guard: { canActivate } as CanActivate, canActivate };
}

const options = (requireToken: boolean) => ({ config: { grafana: { requireToken } } }) as unknown as QueryModuleOptions;

describe('QueryTokenGuard', () => {
  it('always asks the host guard', () => {
    const denied = hostGuard(false);
    expect(() => new QueryTokenGuard(denied.guard).canActivate(context)).toThrow(UnauthorizedException);
    const allowed = hostGuard(true);
    expect(new QueryTokenGuard(allowed.guard).canActivate(context)).toBe(true);
    expect(allowed.canActivate).toHaveBeenCalledWith(context);
  });
});

describe('GrafanaTokenGuard', () => {
  it('asks the host guard when grafana.requireToken is on', () => {
    const denied = hostGuard(false);
    expect(() => new GrafanaTokenGuard(denied.guard, options(true)).canActivate(context)).toThrow(UnauthorizedException);
  });

  it('lets every request through when grafana.requireToken is off', () => {
    const denied = hostGuard(false);
    expect(new GrafanaTokenGuard(denied.guard, options(false)).canActivate(context)).toBe(true);
    expect(denied.canActivate).not.toHaveBeenCalled();
  });
});
