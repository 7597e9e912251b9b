// Three projects: `unit` (pure logic, no server; `npm run test:unit`), `components` (real parts
// without Temporal: the exchange emulator with the real ccxt client, Uniswap contracts on a local
// EVM, the simulated market) and `integration` (a real Temporal dev server, started once per run by
// test/integration/global-setup.ts unless TEMPORAL_ADDRESS points at one).
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 180000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      setupFiles: ['<rootDir>/test/esm-interop.setup.ts'],
    },
    {
      displayName: 'components',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/components/**/*.test.ts'],
      setupFiles: ['<rootDir>/test/esm-interop.setup.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      setupFiles: ['<rootDir>/test/esm-interop.setup.ts', '<rootDir>/test/integration/setup-quiet-sdk.ts'],
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
    },
  ],
};
