// Two projects: `unit` (pure code, Fondo client, sandbox — no Temporal) and `temporal` (workflow tests on the
// real time-skipping server and end-to-end tests on the real dev server). ky is ESM-only: Jest's own module
// loader cannot require() it, so it is transformed to CommonJS by swc like our TypeScript.
/** @type {import('@swc/core').Options} */
const swc = {
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', swc] },
  transformIgnorePatterns: ['/node_modules/(?!(ky)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};

/** @type {import('jest').Config} */
module.exports = {
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/test/unit/**/*.test.ts',
        '<rootDir>/test/activities/**/*.test.ts',
        '<rootDir>/test/fondo/**/*.test.ts',
        '<rootDir>/test/sandbox/**/*.test.ts',
      ],
    },
    {
      ...common,
      displayName: 'temporal',
      testMatch: [
        '<rootDir>/test/workflows/**/*.test.ts',
        '<rootDir>/test/e2e/**/*.test.ts',
        '<rootDir>/test/replay/**/*.test.ts',
      ],
      setupFiles: ['<rootDir>/test/helpers/quiet-runtime.ts'],
      slowTestThreshold: 60,
    },
  ],
};
