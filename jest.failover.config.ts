/** @jest-config-loader esbuild-register */
// `pnpm test:failover`: the Sentinel failover of the scale-out proof (issue 13), a few seconds of
// Sentinel's own timing, so it is a separate command rather than part of every run.
import base from './jest.config';

export default {
  ...base,
  roots: ['<rootDir>/examples/scale-out/failover'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: [],
};
