import { Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { SluiceConfig } from '#runtime';
import { bearerTokenAccepted } from '#health';
import { SLUICE_CONFIG } from '../host/tokens.js';

/** Requires `Authorization: Bearer <http.token>` when a token is configured (data endpoints). */
@Injectable()
export class TokenGuard implements CanActivate {
  constructor(@Inject(SLUICE_CONFIG) private readonly config: SluiceConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const header: unknown = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers.authorization;
    if (!bearerTokenAccepted(this.config.http.token, header)) throw new UnauthorizedException('a valid bearer token is required');
    return true;
  }
}
