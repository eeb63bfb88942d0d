import { describeError, RecordError } from '@sluice/sdk';
import cassandra from 'cassandra-driver';

const { errors, types } = cassandra;
const codes = types.responseErrorCodes;

/** Server error codes (CQL native protocol) by name, for messages. */
const CODE_NAMES = new Map<number, string>([
  [codes.serverError, 'ServerError'],
  [codes.protocolError, 'ProtocolError'],
  [codes.badCredentials, 'BadCredentials'],
  [codes.unavailableException, 'Unavailable'],
  [codes.overloaded, 'Overloaded'],
  [codes.isBootstrapping, 'IsBootstrapping'],
  [codes.truncateError, 'TruncateError'],
  [codes.writeTimeout, 'WriteTimeout'],
  [codes.readTimeout, 'ReadTimeout'],
  [codes.readFailure, 'ReadFailure'],
  [codes.functionFailure, 'FunctionFailure'],
  [codes.writeFailure, 'WriteFailure'],
  [codes.syntaxError, 'SyntaxError'],
  [codes.unauthorized, 'Unauthorized'],
  [codes.invalid, 'InvalidQuery'],
  [codes.configError, 'ConfigError'],
  [codes.alreadyExists, 'AlreadyExists'],
  [codes.unprepared, 'Unprepared'],
  [codes.clientWriteFailure, 'ClientWriteFailure'],
]);

/**
 * Server errors that come back the same however often the statement is sent: the statement or its
 * values are wrong for the table (InvalidQuery: "Key may not be empty", a key over 64 KiB, a
 * version-4 UUID in a timeuuid column...), or the schema or permissions do not fit. Retrying cannot
 * help, so the records go to the dead-letter destination with the server's message.
 */
const NOT_RETRYABLE_CODES: ReadonlySet<number> = new Set([
  codes.protocolError,
  codes.badCredentials,
  codes.functionFailure,
  codes.syntaxError,
  codes.unauthorized,
  codes.invalid,
  codes.configError,
  codes.alreadyExists,
]);

export interface DriverErrorClass {
  /** A short name: the server error (WriteTimeout, InvalidQuery...) or the driver error class. */
  readonly kind: string;
  readonly retryable: boolean;
  /** The server error code, when the server answered with an error. */
  readonly code?: number;
}

/**
 * Whether an error of the driver is worth retrying.
 *
 * Retryable: the cluster could not do it now — WriteTimeout, ReadTimeout, Unavailable (too few
 * replicas alive for the consistency level), Overloaded, IsBootstrapping, WriteFailure/ReadFailure
 * (a replica failed), ServerError, Unprepared (the driver prepares again); and on the client side
 * NoHostAvailable (no node reachable), OperationTimedOut (no answer within `requestTimeoutMs`),
 * BusyConnection (every connection at its request limit), socket errors, and anything unknown (as
 * the SDK treats unknown errors).
 *
 * Not retryable: InvalidQuery, SyntaxError, Unauthorized, ConfigError, AlreadyExists,
 * FunctionFailure, ProtocolError, BadCredentials, authentication failures, and the driver's
 * TypeError/ArgumentError when a value cannot be encoded for the column's type.
 */
export function classifyDriverError(error: unknown): DriverErrorClass {
  if (error instanceof errors.ResponseError) {
    const code = error.code;
    return { kind: CODE_NAMES.get(code) ?? `ServerError 0x${code.toString(16)}`, code, retryable: !NOT_RETRYABLE_CODES.has(code) };
  }
  if (error instanceof errors.NoHostAvailableError) return { kind: 'NoHostAvailable', retryable: true };
  if (error instanceof errors.OperationTimedOutError) return { kind: 'OperationTimedOut', retryable: true };
  if (error instanceof errors.BusyConnectionError) return { kind: 'BusyConnection', retryable: true };
  if (error instanceof errors.AuthenticationError) return { kind: 'Authentication', retryable: false };
  if (error instanceof errors.ArgumentError) return { kind: 'Argument', retryable: false };
  if (error instanceof errors.NotSupportedError) return { kind: 'NotSupported', retryable: false };
  if (error instanceof TypeError || error instanceof RangeError) return { kind: 'TypeError', retryable: false };
  if (error instanceof errors.DriverError) return { kind: error.name || 'DriverError', retryable: true };
  return { kind: error instanceof Error ? error.name || 'Error' : 'Error', retryable: true };
}

/**
 * The error a failed statement is reported with: what was being done, the error kind, the driver's
 * message (never parameter values, never credentials) and the retry classification. The driver
 * error is kept as the cause.
 */
export function driverRecordError(error: unknown, what: string): RecordError {
  const { kind, retryable, code } = classifyDriverError(error);
  return new RecordError(`${what} failed [${kind}]: ${describeDriverError(error)}`, {
    retryable,
    cause: error,
    details: { kind, retryable, ...(code === undefined ? {} : { code: `0x${code.toString(16).padStart(4, '0')}` }) },
  });
}

/**
 * The driver's message on one line. NoHostAvailable's own message embeds the first host's error with
 * its stack trace; it is rebuilt from the per-host errors instead.
 */
export function describeDriverError(error: unknown): string {
  if (error instanceof errors.NoHostAvailableError) {
    const inner = Object.entries((error as { innerErrors?: Record<string, unknown> }).innerErrors ?? {});
    if (inner.length === 0) return firstLine(describeError(error));
    return `no host could be reached: ${inner.map(([host, cause]) => `${host} (${firstLine(describeError(cause))})`).join(', ')}`;
  }
  return firstLine(describeError(error));
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end < 0 ? text : text.slice(0, end).trimEnd();
}
