// Test harness for plugin authors: run a plugin without Kafka and without booting the host.
export * from './make-record.js';
export * from './harness-context.js';
export * from './run-source.js';
export * from './run-transform.js';
export * from './run-sink.js';
export * from './run-codec.js';
