import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { QUERY_OPTIONS, type QueryModuleOptions } from '../query-options.js';

/** What the middleware reads of a request and writes to a response (Node's http objects, through Express). */
interface CorsRequest {
  readonly method?: string;
  readonly headers: Record<string, string | string[] | undefined>;
}
interface CorsResponse {
  setHeader(name: string, value: string): unknown;
  getHeader(name: string): unknown;
  statusCode: number;
  end(body?: string): unknown;
}

export const CORS_METHODS = 'GET, POST, OPTIONS';
export const CORS_DEFAULT_HEADERS = 'accept, authorization, content-type';
export const CORS_MAX_AGE_S = 600;

/** The `Access-Control-Allow-Origin` value for `origin`, or undefined when it is not allowed. */
export function allowedOrigin(origins: readonly string[], origin: string | undefined): string | undefined {
  if (!origin) return undefined;
  if (origins.includes('*')) return '*';
  return origins.includes(origin) ? origin : undefined;
}

function header(request: CorsRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * CORS for the Grafana endpoints (browser access, `grafana.cors.origins`): an allowed origin gets
 * `Access-Control-Allow-Origin` on every answer (401s included, so a page can read why); a
 * preflight (`OPTIONS` with `Access-Control-Request-Method`) is answered here with 204, the
 * allowed methods, the requested headers (authorization, content-type, ...) and a max age, or 403
 * for an origin that is not allowed. Requests from other origins get no CORS headers, so browsers
 * keep them from the page.
 */
@Injectable()
export class GrafanaCorsMiddleware implements NestMiddleware {
  private readonly origins: readonly string[];

  constructor(@Inject(QUERY_OPTIONS) options: QueryModuleOptions) {
    this.origins = options.config.grafana.cors.origins;
  }

  use(request: CorsRequest, response: CorsResponse, next: () => void): void {
    const origin = header(request, 'origin');
    const allowed = allowedOrigin(this.origins, origin);
    if (origin) {
      const vary = response.getHeader('Vary');
      response.setHeader('Vary', vary ? `${String(vary)}, Origin` : 'Origin');
    }
    if (allowed) response.setHeader('Access-Control-Allow-Origin', allowed);
    const preflight = request.method === 'OPTIONS' && header(request, 'access-control-request-method') !== undefined;
    if (!preflight) {
      if (request.method === 'OPTIONS') {
        response.statusCode = 204;
        response.setHeader('Allow', CORS_METHODS);
        response.end();
        return;
      }
      next();
      return;
    }
    if (!allowed) {
      response.statusCode = 403;
      response.setHeader('Content-Type', 'application/json; charset=utf-8');
      response.end(JSON.stringify({ statusCode: 403, message: `origin ${origin ?? '(none)'} is not allowed (grafana.cors.origins)`, error: 'Forbidden' }));
      return;
    }
    response.statusCode = 204;
    response.setHeader('Access-Control-Allow-Methods', CORS_METHODS);
    response.setHeader('Access-Control-Allow-Headers', header(request, 'access-control-request-headers') ?? CORS_DEFAULT_HEADERS);
    response.setHeader('Access-Control-Max-Age', String(CORS_MAX_AGE_S));
    response.setHeader('Content-Length', '0');
    response.end();
  }
}
