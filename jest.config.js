'use strict';
/** Jest runs TypeScript through ts-jest (TypeScript 5.9, transpile-only; `tsc -b` in pretest does the type checks). */
module.exports = {
  // Node's environment, plus a prompt worker exit (see the file)
  testEnvironment: '<rootDir>/test/helpers/jest-environment.js',
  roots: ['<rootDir>/packages', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
  moduleNameMapper: {
    '^@zerodown/(core|express|fastify|cli)$': '<rootDir>/packages/$1/src/index.ts',
    '^@zerodown/core/(lb|control|fleet-guard|alerts|breakers|cluster)$': '<rootDir>/packages/core/src/$1/index.ts',
  },
  testTimeout: 60000,
  maxWorkers: 2,
  // How long a worker may take to exit after Jest ends it before Jest force-kills it (and prints "A worker
  // process has failed to exit gracefully"). Jest's 500 ms default is shorter than the kernel takes to tear
  // down a ~360 MB worker when both cores are busy (measured 400–700 ms at load 10, even for a process that
  // exits at once). A worker that really leaks a handle never exits, so it is still reported, after 5 s.
  workerGracefulExitTimeout: 5000,
};
