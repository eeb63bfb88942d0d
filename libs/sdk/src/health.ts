/** What a plugin reports about itself for `/health/ready` and `/api/pipelines`. */
export interface HealthReport {
  /** `down` makes the host not ready; `degraded` is shown but keeps it ready. */
  readonly status: 'up' | 'down' | 'degraded';
  /** Free-form details shown per plugin (never secrets). */
  readonly details?: Record<string, unknown>;
}

/** Implemented by plugins that can say more about their health than "started". */
export interface HealthReporting {
  health(): HealthReport | Promise<HealthReport>;
}
