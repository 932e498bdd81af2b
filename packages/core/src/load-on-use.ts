import { createRequire } from 'node:module';

/**
 * Loads a CommonJS dependency when a feature first needs it rather than when the suite is imported,
 * so an app pays in memory and start-up time only for what it uses. winston with its formats adds
 * about 13 MiB of resident memory, piscina about 5 and rate-limiter-flexible (which loads every
 * backend it supports) a few more: together they made an express + multer upload server idle at
 * 69 MiB instead of 58 (bench/upload.mjs). Synchronous, so factories stay synchronous; tsup shims
 * `import.meta.url` in the CommonJS build.
 */
export const loadOnUse = createRequire(import.meta.url);
