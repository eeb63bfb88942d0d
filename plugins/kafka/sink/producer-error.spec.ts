import { describe, expect, it } from '@jest/globals';
import { isRetryableSendError, sendError } from './producer-error.js';

const protocolError = (type: string, retriable: boolean) => Object.assign(new Error(`broker said ${type}`), { name: 'KafkaJSProtocolError', type, retriable });

describe('kafka send error classification', () => {
  it.each([
    ['MESSAGE_TOO_LARGE', false],
    ['RECORD_LIST_TOO_LARGE', false],
    ['INVALID_RECORD', false],
    ['INVALID_TIMESTAMP', false],
    ['NOT_LEADER_FOR_PARTITION', true],
    ['NOT_ENOUGH_REPLICAS', true],
    ['REQUEST_TIMED_OUT', true],
    ['TOPIC_AUTHORIZATION_FAILED', true],
    ['UNKNOWN_TOPIC_OR_PARTITION', true],
  ])('%s → retryable %s', (type, retryable) => {
    expect(isRetryableSendError(protocolError(type, !retryable))).toBe(retryable);
  });

  it('retries after kafkajs gave up on retriable errors, and on lost connections', () => {
    const exhausted = Object.assign(new Error('This server does not host this topic-partition'), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      retriable: false,
      cause: protocolError('UNKNOWN_TOPIC_OR_PARTITION', true),
    });
    expect(isRetryableSendError(exhausted)).toBe(true);
    expect(isRetryableSendError(Object.assign(new Error('Connection error: connect ECONNREFUSED'), { name: 'KafkaJSConnectionError', retriable: true }))).toBe(true);
    expect(isRetryableSendError(new Error('The producer is disconnected'))).toBe(true);
  });

  it('looks through kafkajs wrappers for the data error', () => {
    const wrapped = Object.assign(new Error('wrapped'), { name: 'KafkaJSNonRetriableError', retriable: false, cause: protocolError('MESSAGE_TOO_LARGE', false) });
    expect(isRetryableSendError(wrapped)).toBe(false);
  });

  it('reports what, where and the Kafka error type, with secrets scrubbed', () => {
    const error = sendError(protocolError('MESSAGE_TOO_LARGE', false), 'orders', 3, (t) => t.replace('broker', '***'));
    expect(error.message).toBe('kafka sink: writing 3 records to topic "orders" failed [MESSAGE_TOO_LARGE]: *** said MESSAGE_TOO_LARGE');
    expect(error.retryable).toBe(false);
    expect(error.details).toEqual({ topic: 'orders', type: 'MESSAGE_TOO_LARGE', retryable: false });
    const connection = sendError(Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' }), 'orders', 1, (t) => t);
    expect(connection.message).toBe('kafka sink: writing 1 record to topic "orders" failed [KafkaJSConnectionError]: Connection error');
    expect(connection.retryable).toBe(true);
  });
});
