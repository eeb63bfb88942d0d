import { beforeAll, describe, expect, it } from '@jest/globals';
import { BadRequestException, InternalServerErrorException, Logger, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { RecordError } from '@sluice/sdk';
import { answering, QueryRequestError, QueryUnavailableError, toHttpException } from './query-errors.js';

beforeAll(() => Logger.overrideLogger(false));

class InvalidQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidQueryError';
  }
}

describe('toHttpException', () => {
  it('maps the caller\'s mistakes to 400, unavailable data to 503, the rest to 500', () => {
    expect(toHttpException(new QueryRequestError('range is required'))).toEqual(new BadRequestException('range is required'));
    expect(toHttpException(new InvalidQueryError('unknown column "x"'))).toEqual(new BadRequestException('unknown column "x"'));
    expect(toHttpException(new QueryUnavailableError('pipeline "a" is not running'))).toBeInstanceOf(ServiceUnavailableException);
    expect(toHttpException(new RecordError('sql sink is stopped', { retryable: true }))).toBeInstanceOf(ServiceUnavailableException);
    const other = toHttpException(new RecordError('disk full', { retryable: false }));
    expect(other).toBeInstanceOf(InternalServerErrorException);
    expect(other.message).toBe('query failed: disk full');
    const notFound = new NotFoundException('x');
    expect(toHttpException(notFound)).toBe(notFound);
  });

  it('answering rethrows as HTTP exceptions and passes results through', async () => {
    await expect(answering(async () => 5)).resolves.toBe(5);
    await expect(
      answering(async () => {
        throw new QueryRequestError('bad');
      }),
    ).rejects.toBeInstanceOf(BadRequestException);
  });
});
