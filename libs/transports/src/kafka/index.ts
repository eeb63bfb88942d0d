export * from './kafka-record-codec.js';
export * from './kafka-transport-options.js';
export * from './offset-tracker.js';
export * from './kafka-subscription.js';
export * from './kafka-channel-transport.js';
export * from './channel-server-kafka.js';
export * from './kafka-group-leadership.js';
export * from './kafka-state-changelog.js';
