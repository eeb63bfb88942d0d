import { RecordError } from '@sluice/sdk';
import cassandra from 'cassandra-driver';
import { classifyDriverError, describeDriverError, driverRecordError } from './driver-error.js';

const { errors, types } = cassandra;
const codes = types.responseErrorCodes;
const server = (code: number, message = 'boom') => new errors.ResponseError(code, message);

describe('driver error classification', () => {
  it.each([
    ['WriteTimeout', codes.writeTimeout, true],
    ['ReadTimeout', codes.readTimeout, true],
    ['Unavailable', codes.unavailableException, true],
    ['Overloaded', codes.overloaded, true],
    ['IsBootstrapping', codes.isBootstrapping, true],
    ['WriteFailure', codes.writeFailure, true],
    ['ServerError', codes.serverError, true],
    ['Unprepared', codes.unprepared, true],
    ['InvalidQuery', codes.invalid, false],
    ['SyntaxError', codes.syntaxError, false],
    ['Unauthorized', codes.unauthorized, false],
    ['ConfigError', codes.configError, false],
    ['ProtocolError', codes.protocolError, false],
  ])('server %s → retryable %s', (kind, code, retryable) => {
    expect(classifyDriverError(server(code))).toEqual({ kind, code, retryable });
  });

  it('classifies client-side errors', () => {
    expect(classifyDriverError(new errors.NoHostAvailableError({}))).toEqual({ kind: 'NoHostAvailable', retryable: true });
    expect(classifyDriverError(new errors.OperationTimedOutError('The host 127.0.0.1:9042 did not reply before timeout 12000 ms'))).toEqual({
      kind: 'OperationTimedOut',
      retryable: true,
    });
    expect(classifyDriverError(new errors.BusyConnectionError('127.0.0.1:9042', 2048, 1))).toEqual({ kind: 'BusyConnection', retryable: true });
    expect(classifyDriverError(new TypeError("Expected Number, obtained 'x'"))).toEqual({ kind: 'TypeError', retryable: false });
    expect(classifyDriverError(new errors.ArgumentError('bad'))).toEqual({ kind: 'Argument', retryable: false });
    expect(classifyDriverError(new errors.AuthenticationError('bad credentials'))).toEqual({ kind: 'Authentication', retryable: false });
    expect(classifyDriverError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toEqual({ kind: 'Error', retryable: true });
  });

  it('reports a statement failure with the kind, the server message and the classification', () => {
    const cause = server(codes.invalid, 'Key may not be empty');
    const error = driverRecordError(cause, 'writing to ks.t');
    expect(error).toBeInstanceOf(RecordError);
    expect(error.message).toBe('writing to ks.t failed [InvalidQuery]: Key may not be empty');
    expect(error.retryable).toBe(false);
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ kind: 'InvalidQuery', retryable: false, code: '0x2200' });
    expect(driverRecordError(server(codes.writeTimeout, 'Operation timed out - received only 0 responses.'), 'writing to ks.t').retryable).toBe(true);
  });

  it('describes NoHostAvailable by host, without stack traces', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { stack: 'Error: connect ECONNREFUSED 127.0.0.1:1\n    at TCPConnectWrap.afterConnect' });
    const error = new errors.NoHostAvailableError({ '127.0.0.1:1': refused, '127.0.0.2:9042': new Error('timeout\nmore') });
    expect(describeDriverError(error)).toBe('no host could be reached: 127.0.0.1:1 (connect ECONNREFUSED 127.0.0.1:1), 127.0.0.2:9042 (timeout)');
    expect(describeDriverError(new errors.NoHostAvailableError({}))).toBe('All host(s) tried for query failed.');
  });
});
