/** @jest-config-loader esbuild-register */
import { readFileSync } from 'node:fs';
import type { Config } from 'jest';

// file-type and its helpers, and arktype (a validator the spec tests), ship ESM only; swc turns them
// into CommonJS like our own sources.
const esmOnlyPackages = [
  'arktype',
  '@ark',
  'arkregex',
  'file-type',
  'strtok3',
  'token-types',
  'peek-readable',
  '@tokenizer',
  'uint8array-extras',
  '@borewit',
];

const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs', ignoreDynamic: false },
  },
] as const;

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/examples', '<rootDir>/scripts'],
  testMatch: ['**/test/**/*.test.ts'],
  // The Sentinel failover runs as `pnpm test:failover` (jest.failover.config.ts).
  testPathIgnorePatterns: ['/node_modules/', '/examples/scale-out/failover/'],
  transform: { '^.+\\.(t|j|mj)sx?$': swc as unknown as [string, Record<string, unknown>] },
  transformIgnorePatterns: [
    `/node_modules/(?!(\\.pnpm/[^/]+/node_modules/)?(${esmOnlyPackages.join('|')})/)`,
  ],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  moduleNameMapper: {
    '^@guard-suite/core$': '<rootDir>/packages/core/src/index.ts',
    '^@guard-suite/core/internal$': '<rootDir>/packages/core/src/internal.ts',
    '^@guard-suite/express-guard$': '<rootDir>/packages/express-guard/src/index.ts',
    '^@guard-suite/koa-guard$': '<rootDir>/packages/koa-guard/src/index.ts',
    '^guard-spec$': '<rootDir>/packages/guard-spec/src/index.ts',
  },
  modulePathIgnorePatterns: ['<rootDir>/packages/.*/dist/'],
  globalSetup: '<rootDir>/jest.global-setup.ts',
  globalTeardown: '<rootDir>/jest.global-teardown.ts',
  // What the build defines (packages/core/tsup.config.ts): the sources read it as a global.
  globals: {
    __GUARD_VERSION__: (
      JSON.parse(readFileSync(`${__dirname}/packages/core/package.json`, 'utf8')) as {
        version: string;
      }
    ).version,
  },
  testTimeout: 20_000,
  maxWorkers: 2,
};

export default config;
