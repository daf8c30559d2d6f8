import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Sources import with `.js` suffixes (NodeNext); map them back to the `.ts` files for ts-jest.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testTimeout: 60_000,
  // One temporary folder for the whole run, removed at its end (see test/global-setup.ts).
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  // Each test file in a fresh worker process. On a 2-core machine jest otherwise runs every file
  // in one process, and there a workbook test failed now and then (2 of 3 full runs) with ENOENT
  // on one of exceljs's temp files, never when run alone; the files also run in parallel now.
  maxWorkers: 2,
  workerIdleMemoryLimit: '1MB',
};

export default config;
