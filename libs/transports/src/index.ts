export * from './channel-transport.js';
export * from './leadership.js';
export * from './channel-position.js';
export * from './state-changelog.js';
export * from './embedded/index.js';
export * from './kafka/index.js';
