export * from './checkpoint-store.js';
export * from './backoff.js';
export * from './retry.js';
