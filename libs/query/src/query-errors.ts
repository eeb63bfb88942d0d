import {
  BadRequestException,
  HttpException,
  InternalServerErrorException,
  Logger,
  ServiceUnavailableException,
} from '@nestjs/common';
import { describeError, RecordError } from '@sluice/sdk';

/** A request the query module cannot answer as asked (missing field, unknown column, bad range): 400. */
export class QueryRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryRequestError';
  }
}

/** The data cannot be read right now (the pipeline is not running, its sink is stopping): 503. */
export class QueryUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryUnavailableError';
  }
}

const logger = new Logger('QueryModule');

/**
 * The HTTP answer for an error met while serving a query:
 * - the caller's mistake (QueryRequestError, or the SDK's InvalidQueryError a queryable plugin
 *   throws, recognised by its name so that plugins built against another copy of the SDK count
 *   too) → 400 with its message;
 * - data not readable now (QueryUnavailableError, a retryable RecordError such as a lost
 *   connection) → 503;
 * - anything else → 500, logged.
 */
export function toHttpException(error: unknown): HttpException {
  if (error instanceof HttpException) return error;
  if (error instanceof QueryRequestError || (error instanceof Error && error.name === 'InvalidQueryError')) {
    return new BadRequestException(error.message);
  }
  if (error instanceof QueryUnavailableError || (error instanceof RecordError && error.retryable)) {
    return new ServiceUnavailableException(describeError(error));
  }
  logger.error(`query failed: ${describeError(error)}`);
  return new InternalServerErrorException(`query failed: ${describeError(error)}`);
}

/** Runs `work`, turning whatever it throws into the matching HTTP exception. */
export async function answering<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toHttpException(error);
  }
}
