import { describeValue, kindOfValue } from './describe-value.js';

describe('describeValue', () => {
  it('describes values briefly for messages', () => {
    expect(describeValue('x'.repeat(200))).toHaveLength(80);
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(10n)).toBe('10n');
    expect(describeValue({ a: [1, 'b'] })).toBe('{"a":[1,"b"]}');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(describeValue(circular)).toBe('[object Object]');
  });
});

describe('kindOfValue', () => {
  it('names the kind of a value with its article', () => {
    expect([[1], {}, null, 'x', 1, true].map(kindOfValue)).toEqual(['an array', 'an object', 'null', 'a string', 'a number', 'a boolean']);
  });
});

describe('errors of the SDK contract', () => {
  it('tell bad records from infrastructure failures', async () => {
    const { RecordError, RetryableError, invalidRecord, isRetryable } = await import('./errors.js');
    expect(isRetryable(invalidRecord('bad'))).toBe(false);
    expect(isRetryable(new RetryableError('database down', { retryAfterMs: 200 }))).toBe(true);
    expect(new RetryableError('x', { retryAfterMs: 200 }).retryAfterMs).toBe(200);
    expect(isRetryable(new Error('anything else'))).toBe(true);
    expect(isRetryable(new RecordError('legacy', { retryable: true }))).toBe(true);
  });
});
