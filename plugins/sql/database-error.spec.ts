import { RecordError } from '@sluice/sdk';
import { QueryFailedError } from 'typeorm';
import { batchError, isRetryableDatabaseError } from './database-error.js';

const withCode = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe('database error classification', () => {
  it.each([
    ['23505', false], // unique violation
    ['23502', false], // not null
    ['23514', false], // check
    ['22003', false], // numeric out of range
    ['21000', false], // ON CONFLICT affecting a row twice
    ['42P01', false], // undefined table
    ['08006', true], // connection failure
    ['57P01', true], // admin shutdown
    ['40P01', true], // deadlock
    ['53300', true], // too many connections
    ['ECONNREFUSED', true],
  ])('PostgreSQL %s → retryable %s', (code, retryable) => {
    expect(isRetryableDatabaseError(withCode(code), 'postgres')).toBe(retryable);
  });

  it.each([
    ['SQLITE_CONSTRAINT_CHECK', false],
    ['SQLITE_CONSTRAINT_NOTNULL', false],
    ['SQLITE_MISMATCH', false],
    ['SQLITE_ERROR', false],
    ['SQLITE_BUSY', true],
    ['SQLITE_IOERR_WRITE', true],
    ['SQLITE_FULL', true],
  ])('SQLite %s → retryable %s', (code, retryable) => {
    expect(isRetryableDatabaseError(withCode(code), 'sqlite')).toBe(retryable);
  });

  it('treats errors without a code (pg "Connection terminated") as retryable', () => {
    expect(isRetryableDatabaseError(new Error('Connection terminated unexpectedly'), 'postgres')).toBe(true);
  });

  it('looks through TypeORM QueryFailedError and drops its parameters from the reported error', () => {
    const driverError = Object.assign(new Error('null value in column "qty" violates not-null constraint'), { code: '23502', detail: 'Failing row contains (k1, null).' });
    const wrapped = new QueryFailedError('INSERT ...', ['k1', 'secret-param'], driverError);
    const error = batchError(wrapped, 'postgres', 'writing 1 rows to "t"');
    expect(error).toBeInstanceOf(RecordError);
    expect(error.retryable).toBe(false);
    expect(error.message).toBe('writing 1 rows to "t" failed [23502]: null value in column "qty" violates not-null constraint (Failing row contains (k1, null).)');
    expect(error.cause).toBe(driverError);
    expect(JSON.stringify(error.details)).not.toContain('secret-param');
  });
});
