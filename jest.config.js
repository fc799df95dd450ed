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
};
