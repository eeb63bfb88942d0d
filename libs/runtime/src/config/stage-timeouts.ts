/** Default of a stage's `startTimeoutMs`. */
export const DEFAULT_START_TIMEOUT_MS = 30_000;
/** Default of a sink's `writeTimeoutMs`. */
export const DEFAULT_WRITE_TIMEOUT_MS = 30_000;

/** A stage's timeouts when it sets none. */
export const DEFAULT_STAGE_TIMEOUTS = { startMs: DEFAULT_START_TIMEOUT_MS, writeMs: DEFAULT_WRITE_TIMEOUT_MS } as const;
