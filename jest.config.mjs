// Jest runs the ESM TypeScript sources directly through @swc/jest (NestJS 12 is ESM-only, hence
// `node --experimental-vm-modules`); `tsc --noEmit` checks types separately (`npm run typecheck`).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@sluice/sdk$': '<rootDir>/libs/sdk/src/index.ts',
    '^@sluice/kafka$': '<rootDir>/libs/kafka/src/index.ts',
    '^#(runtime|transports|health|query)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};

export default {
  // The fault suite restarts Kafka and Cassandra under running clients; a driver's reconnection
  // timer has once outlived its tests and kept jest from exiting (never while a test runs). Exit
  // once every test has finished rather than let `npm test` hang.
  forceExit: true,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,plugins}/**/*.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.integration\\.spec\\.ts$'],
    },
    {
      ...shared,
      displayName: 'integration',
      // Real services and spawned hosts: seconds each on a busy 2-core machine.
      testTimeout: 60_000,
      // test/ plus `*.integration.spec.ts` beside the code (tests that need Kafka or Cassandra).
      testMatch: ['<rootDir>/test/**/*.spec.ts', '<rootDir>/{apps,libs,plugins}/**/*.integration.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/test/faults/'],
      // Brings up real PostgreSQL, Kafka and Cassandra when they are not already reachable.
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
    {
      ...shared,
      displayName: 'faults',
      // Broker restarts, killed hosts, a Cassandra outage: bounded sizes here; `npm run test:faults -- --full` by hand.
      testTimeout: 600_000,
      testMatch: ['<rootDir>/test/faults/**/*.faults.spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
  ],
};
