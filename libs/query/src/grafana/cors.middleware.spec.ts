import { describe, expect, it, jest } from '@jest/globals';
import type { QueryModuleOptions } from '../query-options.js';
import { allowedOrigin, GrafanaCorsMiddleware } from './cors.middleware.js';

function middleware(origins: string[]): GrafanaCorsMiddleware {
  return new GrafanaCorsMiddleware({ config: { grafana: { cors: { origins } } } } as unknown as QueryModuleOptions);
}

function exchange(mw: GrafanaCorsMiddleware, method: string, headers: Record<string, string>) {
  const set: Record<string, string> = {};
  const response = {
    statusCode: 200,
    body: undefined as string | undefined,
    ended: false,
    setHeader: (name: string, value: string) => (set[name] = value),
    getHeader: (name: string) => set[name],
    end(body?: string) {
      this.body = body;
      this.ended = true;
    },
  };
  const next = jest.fn();
  mw.use({ method, headers }, response, next);
  return { headers: set, response, next };
}

describe('allowedOrigin', () => {
  it('allows listed origins, any with "*", none without an Origin header', () => {
    expect(allowedOrigin(['https://a.example'], 'https://a.example')).toBe('https://a.example');
    expect(allowedOrigin(['https://a.example'], 'https://b.example')).toBeUndefined();
    expect(allowedOrigin(['*'], 'https://b.example')).toBe('*');
    expect(allowedOrigin(['*'], undefined)).toBeUndefined();
  });
});

describe('GrafanaCorsMiddleware', () => {
  const mw = middleware(['https://grafana.example.com']);

  it('answers a preflight of an allowed origin with 204 and the CORS headers', () => {
    const { headers, response, next } = exchange(mw, 'OPTIONS', {
      origin: 'https://grafana.example.com',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type, x-grafana-org-id',
    });
    expect(next).not.toHaveBeenCalled();
    expect(response.statusCode).toBe(204);
    expect(response.ended).toBe(true);
    expect(headers).toMatchObject({
      'Access-Control-Allow-Origin': 'https://grafana.example.com',
      'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
      'Access-Control-Allow-Headers': 'authorization, content-type, x-grafana-org-id',
      'Access-Control-Max-Age': '600',
      Vary: 'Origin',
    });
  });

  it('refuses the preflight of another origin with 403', () => {
    const { headers, response } = exchange(mw, 'OPTIONS', { origin: 'https://evil.example', 'access-control-request-method': 'POST' });
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body!)).toMatchObject({ statusCode: 403, message: 'origin https://evil.example is not allowed (grafana.cors.origins)' });
    expect(headers['Access-Control-Allow-Origin']).toBeUndefined();
  });

  it('adds the allow-origin header to other requests and passes them on', () => {
    const allowed = exchange(mw, 'POST', { origin: 'https://grafana.example.com' });
    expect(allowed.next).toHaveBeenCalled();
    expect(allowed.headers['Access-Control-Allow-Origin']).toBe('https://grafana.example.com');
    const other = exchange(mw, 'POST', { origin: 'https://evil.example' });
    expect(other.next).toHaveBeenCalled();
    expect(other.headers['Access-Control-Allow-Origin']).toBeUndefined();
    const sameOrigin = exchange(mw, 'GET', {});
    expect(sameOrigin.next).toHaveBeenCalled();
    expect(sameOrigin.headers).toEqual({});
  });

  it('answers a plain OPTIONS (no preflight) with the allowed methods', () => {
    const { headers, response, next } = exchange(mw, 'OPTIONS', {});
    expect(next).not.toHaveBeenCalled();
    expect(response.statusCode).toBe(204);
    expect(headers.Allow).toBe('GET, POST, OPTIONS');
  });

  it('sends "*" when any origin is allowed', () => {
    const { headers } = exchange(middleware(['*']), 'OPTIONS', { origin: 'https://x.example', 'access-control-request-method': 'GET' });
    expect(headers['Access-Control-Allow-Origin']).toBe('*');
    expect(headers['Access-Control-Allow-Headers']).toBe('accept, authorization, content-type');
  });
});
