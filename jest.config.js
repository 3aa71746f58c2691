/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // bench/ holds the test of the lean ingestion ceiling (it runs the compiled bench server).
  roots: ['<rootDir>/src', '<rootDir>/bench'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  // Generous: on a busy shared machine a real server, browser or child process is slow to start;
  // a hung test still fails, later.
  testTimeout: 120000,
  // Integration tests start real servers and browsers; two workers match the two cores.
  maxWorkers: 2,
  // A skipped test is listed by name (which says why) after the summary, never only counted.
  reporters: ['default', '<rootDir>/jest.skipped-reporter.js'],
};
