import { describe, expect, it } from '@jest/globals';
import { bearerTokenAccepted, tokensEqual } from './bearer-token.js';

describe('tokensEqual', () => {
  it('is true for equal tokens', () => {
    expect(tokensEqual('s3cr3t-token', 's3cr3t-token')).toBe(true);
    expect(tokensEqual('', '')).toBe(true);
  });

  it('is false for a token of the same length that differs', () => {
    expect(tokensEqual('s3cr3t-tokem', 's3cr3t-token')).toBe(false);
  });

  it('is false, without throwing, for tokens of different lengths (compared as fixed-length digests)', () => {
    // crypto.timingSafeEqual throws on buffers of different lengths: not throwing here shows the
    // comparison runs over same-size digests rather than over the tokens themselves.
    expect(tokensEqual('s3cr3t', 's3cr3t-token')).toBe(false);
    expect(tokensEqual('s3cr3t-token-and-more', 's3cr3t-token')).toBe(false);
    expect(tokensEqual('', 's3cr3t-token')).toBe(false);
  });
});

describe('bearerTokenAccepted', () => {
  const token = 'expected-token-123';

  it('accepts every request when no token is configured', () => {
    expect(bearerTokenAccepted(undefined, undefined)).toBe(true);
    expect(bearerTokenAccepted('', 'Bearer anything')).toBe(true);
  });

  it('accepts `Bearer <token>`', () => {
    expect(bearerTokenAccepted(token, `Bearer ${token}`)).toBe(true);
  });

  it('refuses a missing header, another scheme, and wrong tokens of the same and of another length', () => {
    expect(bearerTokenAccepted(token, undefined)).toBe(false);
    expect(bearerTokenAccepted(token, token)).toBe(false);
    expect(bearerTokenAccepted(token, `Basic ${token}`)).toBe(false);
    expect(bearerTokenAccepted(token, `Bearer ${'x'.repeat(token.length)}`)).toBe(false);
    expect(bearerTokenAccepted(token, 'Bearer short')).toBe(false);
    expect(bearerTokenAccepted(token, `Bearer ${token}4`)).toBe(false);
    expect(bearerTokenAccepted(token, ['Bearer', token])).toBe(false);
  });
});
