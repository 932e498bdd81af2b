// The behaviour spec both adapters run. Each capability exports `describe<Capability>(harness)`;
// packages/{express,koa}-guard/test/<capability>.test.ts run it against their framework.
export type { GuardKit, Harness, SpecApp, SpecHandler, SpecIO, SpecRoute } from './harness';
export { createMemoryLogger } from './memory-logger';
export { INVALID_COUNTS, showValue } from './invalid-values';
export type { MemoryLogger } from './memory-logger';
export {
  REDIS_REQUIRED,
  REDIS_URL,
  createTestRedis,
  TEST_RUN,
  deleteKeys,
  keysUnder,
  redisAvailable,
  uniquePrefix,
} from './redis-connection';
export { describeWithRedis } from './redis';
export { BROWSER_REQUIRED, CHROMIUM_PATH, browserAvailable, describeWithBrowser } from './browser';
export { describeErrorHandler } from './error-handler.spec';
export { describeMisuse } from './misuse.spec';
export { hostileThrownValues } from './hostile-thrown-values';
export type { HostileThrownValue } from './hostile-thrown-values';
export { startExampleServer } from './example-server';
export type { ExampleServer } from './example-server';

// Inbound protection (guard)
export { describeTimeout } from './timeout.spec';
export { describeGuard } from './guard.spec';
export { describeLoadShedding } from './load-shedding.spec';
export { describeSecurityHeaders } from './security-headers.spec';
export { describeJsonBody } from './json-body.spec';
export { describeValidate } from './validate.spec';
export { describeInputLimits } from './input-limits.spec';
export { describePayloadLimits } from './payload-limits.spec';
export { describeConcurrencyLimit } from './concurrency-limit.spec';
export { describeOverloadControl } from './overload.spec';
export { deferred, listen, rawRequest, sleep, startRequest, until } from './http-helpers';
export type { Deferred, Listening, RawResult } from './http-helpers';

// Rate limiting
export { describeRateLimit } from './rate-limit.spec';
export { describeRateLimitRedis } from './rate-limit-redis.spec';
export { createTcpProxy } from './tcp-proxy';
export type { TcpProxy } from './tcp-proxy';
export { describeBruteForce } from './brute-force.spec';

// Outbound policies
export { describeOutbound } from './outbound.spec';

// Uploads and the file store
export { describeUploads } from './upload.spec';
export { describeDownloads } from './download.spec';
export { EXE, PNG } from './uploads/fixtures';
export { multipart } from './uploads/multipart';
export type { Part } from './uploads/multipart';

// Observability
export { describeMetrics } from './metrics.spec';
export { createMetricsProbe } from './metrics-probe';
export type { MetricsProbe } from './metrics-probe';
