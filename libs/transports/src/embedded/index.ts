export * from './embedded-bus.js';
export * from './embedded-context.js';
export * from './embedded-server.js';
export * from './embedded-client.js';
export * from './embedded-channel-transport.js';
export * from './create-embedded-transport.js';
