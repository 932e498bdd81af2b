/** The package version, the meter's version (a test keeps it equal to package.json's). */
export const CORE_VERSION = '1.0.0-rc.0';

/** The instrumentation scope of every instrument: `metrics.getMeter('guard-core', version)`. */
export const METER_NAME = 'guard-core';
