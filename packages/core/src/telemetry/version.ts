/** Defined by the build (tsup.config.ts) and by jest.config.ts: the version in core's package.json. */
declare const __GUARD_VERSION__: string | undefined;

/**
 * The package version, the meter's version. Set when the package is built, so a release's version
 * bump (`pnpm changeset version`) reaches it without an edit here.
 */
export const CORE_VERSION: string =
  typeof __GUARD_VERSION__ === 'string' ? __GUARD_VERSION__ : '0.0.0-unknown';

/** The instrumentation scope of every instrument: `metrics.getMeter('guard-core', version)`. */
export const METER_NAME = 'guard-core';
