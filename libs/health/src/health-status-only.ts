import { ServiceUnavailableException } from '@nestjs/common';
import type { HealthCheckResult, HealthCheckStatus } from '@nestjs/terminus';

/** The answer of a health endpoint to a caller without the token: the overall status, nothing else. */
export interface HealthStatusOnly {
  readonly status: HealthCheckStatus;
}

/**
 * A terminus check reduced to its overall status, keeping the HTTP code: `{ status: 'ok' }` with
 * 200, or a 503 whose body is `{ status: 'error' }` (or `'shutting_down'`), without the
 * per-indicator details (stages, plugins, paths, tables, errors) terminus puts in both.
 */
export async function healthStatusOnly(check: Promise<HealthCheckResult>): Promise<HealthStatusOnly> {
  try {
    const { status } = await check;
    return { status };
  } catch (error) {
    if (error instanceof ServiceUnavailableException) throw new ServiceUnavailableException({ status: failedStatus(error) } satisfies HealthStatusOnly);
    throw error;
  }
}

function failedStatus(error: ServiceUnavailableException): HealthCheckStatus {
  const response = error.getResponse();
  const status = typeof response === 'object' && response !== null ? (response as Partial<HealthCheckResult>).status : undefined;
  return status === 'shutting_down' ? 'shutting_down' : 'error';
}
