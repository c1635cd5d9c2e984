/**
 * Two projects: `unit` needs nothing but Node; `integration` runs against a real control plane that its
 * global setup starts (or an existing cluster: see docs/testing.md).
 * ts-jest only transpiles (isolatedModules); `npm run build` is where types are checked.
 */
const transform = { '^.+\\.ts$': ['ts-jest', { useESM: true }] };
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform,
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
export default {
  // Integration tests wait on a real cluster; unit tests finish far sooner.
  testTimeout: 120_000,
  // Two files at a time on two cores: most integration files wait on controllers, not on a core. Each
  // file makes namespaces of its own; files that restart a server start a control plane of their own.
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/summary-reporter.mjs'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/test/integration/', '/fixtures/', '/templates/'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/cluster/global-setup.mjs',
      globalTeardown: '<rootDir>/test/cluster/global-teardown.mjs',
    },
  ],
};
