import { describeError, RecordError } from '@sluice/sdk';
import type { SqlDriverName } from './sql.config.js';

/**
 * Whether a database error is worth retrying.
 *
 * Not retryable: errors caused by the data of the batch or by the table it meets, which come back
 * identically on every attempt. The runtime then writes the records one by one at once, and only
 * the records that fail alone are dead-lettered.
 * - PostgreSQL SQLSTATE classes 21 (cardinality), 22 (data exception: out of range, bad encoding),
 *   23 (integrity constraint: NOT NULL, CHECK, UNIQUE, foreign key), 42 (syntax / access rule:
 *   a missing column or table, a type mismatch) and 44 (WITH CHECK OPTION).
 * - SQLite SQLITE_CONSTRAINT* (NOT NULL, CHECK, UNIQUE, ...), SQLITE_MISMATCH (datatype), SQLITE_TOOBIG,
 *   SQLITE_RANGE, and SQLITE_ERROR (a missing table or column: the schema does not fit the records).
 *
 * Retryable: everything else, notably connection-level trouble that can heal: PostgreSQL classes
 * 08 (connection exception), 40 (serialization failure, deadlock), 53 (insufficient resources),
 * 57 (operator intervention: admin shutdown, query canceled), 58 (system error); Node socket errors
 * (ECONNREFUSED, ECONNRESET, ETIMEDOUT, ...) and pg's "Connection terminated", which carry no
 * SQLSTATE; SQLite SQLITE_BUSY / SQLITE_LOCKED (another writer), SQLITE_IOERR*, SQLITE_FULL,
 * SQLITE_CANTOPEN, SQLITE_READONLY. Unknown errors are retryable, as the SDK treats them.
 */
export function isRetryableDatabaseError(error: unknown, driver: SqlDriverName): boolean {
  const code = errorCode(error);
  if (code === undefined) return true;
  if (driver === 'postgres') {
    if (/^[0-9A-Z]{5}$/.test(code)) return !['21', '22', '23', '42', '44'].includes(code.slice(0, 2));
    return true; // Node system errors (ECONNREFUSED, ...)
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) return false;
  return !['SQLITE_MISMATCH', 'SQLITE_TOOBIG', 'SQLITE_RANGE', 'SQLITE_ERROR'].includes(code);
}

/** The driver's error behind TypeORM's QueryFailedError (which also carries the query and every parameter). */
export function driverErrorOf(error: unknown): unknown {
  if (typeof error === 'object' && error !== null && 'driverError' in error && (error as { driverError: unknown }).driverError) {
    return (error as { driverError: unknown }).driverError;
  }
  return error;
}

function errorCode(error: unknown): string | undefined {
  const inner = driverErrorOf(error);
  if (typeof inner === 'object' && inner !== null && 'code' in inner) {
    const code = (inner as { code: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
  }
  return undefined;
}

/**
 * The error a failed batch is reported with: the driver's message (never the statement's
 * parameters, never connection strings), the SQLSTATE / SQLite code, and the retry classification.
 * The driver error is kept as the cause; TypeORM's wrapper is dropped because it holds every
 * parameter of the statement.
 */
export function batchError(error: unknown, driver: SqlDriverName, what: string): RecordError {
  const inner = driverErrorOf(error);
  const code = errorCode(error);
  const detail = typeof inner === 'object' && inner !== null && 'detail' in inner && typeof (inner as { detail: unknown }).detail === 'string'
    ? ` (${(inner as { detail: string }).detail})`
    : '';
  const retryable = isRetryableDatabaseError(error, driver);
  return new RecordError(`${what} failed${code ? ` [${code}]` : ''}: ${describeError(inner)}${detail}`, {
    retryable,
    cause: inner,
    details: { driver, ...(code ? { code } : {}), retryable },
  });
}
