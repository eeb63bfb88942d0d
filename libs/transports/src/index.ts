export * from './channel-transport.js';
export * from './embedded/index.js';
