export * from './tokens.js';
export * from './bearer-token.js';
export * from './health-status-only.js';
export * from './pipelines-health.indicator.js';
export * from './health.controller.js';
export * from './health.module.js';
