// The Sluice plugin SDK: everything a plugin may import from Sluice, and nothing of the runtime.
export * from './version.js';
export * from './record.js';
export * from './errors.js';
export * from './logger.js';
export * from './context.js';
export * from './health.js';
export * from './source.js';
export * from './transform.js';
export * from './sink.js';
export * from './queryable.js';
export * from './config-field.js';
export * from './config-validation.js';
export * from './plugin.js';
export * from './pacing/token-bucket.js';
export * from './concurrency/serial-lock.js';
export * from './expressions/index.js';
export * from './testing/index.js';
