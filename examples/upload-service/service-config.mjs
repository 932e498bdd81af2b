// What both twins share: where files go and how each policy is set. Paths come from DATA_DIR
// (default ./data next to this file), outside any folder the app serves.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * @param {object} [options]
 * @param {string} [options.dataDir] where uploads and their temporary files live
 * @param {import('ioredis').Redis | import('ioredis').Cluster} [options.redis] shares rate limits
 *   and breaker state when given
 * @param {string} [options.redisPrefix] where in Redis (default `upload-service:`)
 * @param {number} [options.uploadsPerWindow] per-client upload quota (default 20 a minute)
 * @param {object} [options.loadShedding] thresholds over guard()'s defaults (tests on a busy
 *   machine raise them: a starved test process would otherwise be shed, correctly)
 * @param {string} [options.instance] names this instance in /health and the X-Instance header
 *   (default: INSTANCE_ID, else none)
 * @param {object} [options.meterProvider] the OpenTelemetry MeterProvider every policy records into
 */
export function serviceConfig({
  dataDir,
  redis,
  redisPrefix = 'upload-service:',
  uploadsPerWindow = 20,
  loadShedding,
  instance = process.env.INSTANCE_ID,
  meterProvider,
} = {}) {
  const root = resolve(dataDir ?? process.env.DATA_DIR ?? join(here, 'data'));
  const store = redis ? { redis, prefix: redisPrefix } : 'memory';
  const isHealthCheck = (path) => path === '/health';
  const metrics = meterProvider ? { meterProvider } : {};
  return {
    instance,
    dataDir: root,
    meterProvider,
    upload: {
      ...metrics,
      dir: join(root, 'uploads'),
      tmpDir: join(root, 'tmp'),
      maxFileBytes: 5 * 1024 * 1024,
      maxFiles: 1,
      allowedExtensions: ['.txt', '.pdf', '.jpg', '.png', '.doc', '.docx'],
      scanText: true,
    },
    /** guard() for every request; `skip` receives the framework's path getter. */
    guard: (pathOf) => ({
      ...metrics,
      loadShedding: { ...loadShedding, skip: (reqOrCtx) => isHealthCheck(pathOf(reqOrCtx)) },
      rateLimit: { limit: 300, windowMs: 60_000, store },
      concurrency: { max: 32, maxQueue: 64, queueTimeoutMs: 2_000 },
      timeout: { ms: 30_000 },
      // Multipart bodies are bounded by upload() itself (maxFileBytes), so the body cap only has
      // to leave room for one file plus the multipart framing.
      inputLimits: { maxUrlLength: 2048, maxBodyBytes: 6 * 1024 * 1024 },
    }),
    /** The per-client upload quota: rateLimit() on the upload route, composed with upload(). */
    uploadQuota: { name: 'uploads', limit: uploadsPerWindow, windowMs: 60_000, store, ...metrics },
    breakerStore: redis ? { redis, prefix: `${redisPrefix}breaker:` } : undefined,
  };
}
