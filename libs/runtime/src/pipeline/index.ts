export * from './stage-monitor.js';
export * from './dead-letter-queue.js';
export * from './source-runner.js';
export * from './transform-runner.js';
export * from './sink-runner.js';
export * from './pipeline.js';
export * from './fan-out/fan-out-monitor.js';
export * from './topology/pipeline-plan.js';
