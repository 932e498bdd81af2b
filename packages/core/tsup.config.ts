import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

// The meter's version (src/telemetry/version.ts): the version being built.
const { version } = JSON.parse(
  readFileSync(new URL('./package.json', import.meta.url), 'utf8'),
) as {
  version: string;
};

export default defineConfig({
  // Two entries over one set of modules: code splitting (also for CommonJS) puts what both share in
  // common chunks, so `@guard-suite/core` and `@guard-suite/core/internal` hand out the same classes
  // (an error thrown by the adapters' plumbing is `instanceof` the user's TimeoutError).
  entry: ['src/index.ts', 'src/internal.ts'],
  format: ['esm', 'cjs'],
  splitting: true,
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  // import.meta.url in the CommonJS build (optional dependencies are resolved from this package).
  shims: true,
  // The CommonJS build loads the optional @opentelemetry/api with a plain `require` inside
  // try/catch (src/telemetry/metrics-api.ts): tsup turns an `import()` into a `require` inside a
  // promise callback there, which bundlers reject when the package is missing. And the package
  // version, for the meter.
  esbuildOptions(options, { format }) {
    options.define = {
      ...options.define,
      __GUARD_CJS__: format === 'cjs' ? 'true' : 'false',
      __GUARD_VERSION__: JSON.stringify(version),
    };
  },
});
