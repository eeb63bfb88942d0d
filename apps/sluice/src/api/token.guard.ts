import { Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { SluiceConfig } from '#runtime';
import { SLUICE_CONFIG } from '../host/tokens.js';

/** Requires `Authorization: Bearer <http.token>` when a token is configured (data endpoints). */
@Injectable()
export class TokenGuard implements CanActivate {
  constructor(@Inject(SLUICE_CONFIG) private readonly config: SluiceConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.http.token;
    if (!expected) return true;
    const header: unknown = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers.authorization;
    const given = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : '';
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new UnauthorizedException('a valid bearer token is required');
    return true;
  }
}
