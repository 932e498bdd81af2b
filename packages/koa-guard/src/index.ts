// The public entry of @guard-suite/koa-guard: the Koa middleware, and the public names of
// @guard-suite/core. Every name is listed explicitly.

export { guard } from './guard';
export type { KoaGuardOptions, GuardMiddleware } from './guard';
export { securityHeaders } from './security-headers';
export type { SecurityHeadersOptions } from './security-headers';
export { loadShedding } from './load-shedding';
export type { KoaLoadSheddingOptions, LoadSheddingMiddleware } from './load-shedding';
export { rateLimit } from './rate-limit';
export type { KoaRateLimitOptions, RateLimitMiddleware } from './rate-limit';
export { inputLimits } from './input-limits';
export { concurrencyLimit } from './concurrency-limit';
export type { ConcurrencyLimitMiddleware } from './concurrency-limit';
export { timeout } from './timeout';
export { jsonBody } from './json-body';
export { validate } from './validate';
export { bruteForce } from './brute-force';
export type { BruteForceMiddleware, KoaBruteForceOptions } from './brute-force';
export { upload } from './upload';
export type { Upload } from './upload';
export { sendStoredFile } from './send-stored-file';
export { errorHandler } from './error-handler';
export type { ErrorHandlerMiddleware } from './error-handler';

// Everything a user types from @guard-suite/core, so an app installs one package.
export {
  ErrorCodes,
  GuardError,
  isGuardError,
  GuardConfigError,
  RateLimitError,
  ConcurrencyLimitError,
  TimeoutError,
  LoadShedError,
  CircuitOpenError,
  ResourceLimitError,
  PayloadTooLargeError,
  UriTooLongError,
  InvalidInputError,
  UnsupportedMediaTypeError,
  InsufficientStorageError,
  NotFoundError,
  AbortedError,
  WarningCodes,
  RejectionReasons,
  hardenServer,
  createRateLimiter,
  clientKey,
  createMemoryStore,
  createRedisStore,
  createInsuredStore,
  createBruteForceProtection,
  createConcurrencyLimiter,
  createLoadShedder,
  createCircuitBreaker,
  createRetry,
  retry,
  createTimeout,
  withTimeout,
  createBulkhead,
  wrap,
  createIsolatedPool,
  DEFAULT_ALLOWED_EXTENSIONS,
  createFileStore,
} from '@guard-suite/core';
export type {
  ErrorCode,
  GuardErrorOptions,
  WarningCode,
  RejectionPolicy,
  RejectionReason,
  RejectionRecord,
  ErrorHandlerOptions,
  ProblemBody,
  GuardLogger,
  GuardOptions,
  ConcurrencyLimitOptions,
  LoadSheddingOptions,
  GuardControls,
  GuardStatus,
  ConcurrencyCounts,
  LoadSheddingControls,
  GuardState,
  Criticality,
  RequestTimeoutOptions,
  InputLimitsOptions,
  JsonBodyOptions,
  InvalidParam,
  ValidateOptions,
  ValidationSchemas,
  RateLimitOptions,
  BruteForceMiddlewareOptions,
  HardenServerOptions,
  RateLimitDecision,
  RateLimiter,
  RateLimiterOptions,
  RateLimitStoreOption,
  ResolvedRateLimiterOptions,
  MemoryStore,
  MemoryStoreOptions,
  RedisStoreOptions,
  InsuredStore,
  InsuredStoreOptions,
  RateLimitStore,
  StoreHit,
  StoreOptions,
  BruteForceDecision,
  BruteForceOptions,
  BruteForceProtection,
  ConcurrencyLimiter,
  ConcurrencyLimiterOptions,
  Permit,
  LoadFigures,
  LoadShedder,
  LoadShedderOptions,
  ResolvedLoadShedderOptions,
  ExecuteOptions,
  Policy,
  PolicyContext,
  PolicyFn,
  CircuitBreaker,
  CircuitBreakerEvent,
  CircuitBreakerEventMap,
  CircuitBreakerOptions,
  CircuitBreakerStats,
  CircuitBreakerStoreOptions,
  CircuitState,
  WindowTotals,
  RetryCallOptions,
  RetryEvent,
  RetryOptions,
  RetryPolicy,
  Jitter,
  RetryBudgetOptions,
  TimeoutPolicy,
  Bulkhead,
  BulkheadOptions,
  IsolatedPool,
  IsolatedPoolOptions,
  IsolatedRunOptions,
  UploadOptions,
  UploadRecord,
  UploadStatus,
  UploadRoutes,
  FileStore,
  FileStoreOptions,
  StoredFileStat,
  CriticalityOptions,
  AdaptiveAlgorithm,
  AdaptiveLimitOptions,
  ResolvedAdaptiveLimitOptions,
  PermitOutcome,
  ResolvedConcurrencyLimiterOptions,
  ConcurrencyLimitControls,
  LoadMeasurement,
  LoadProbe,
  SampleWindowOptions,
  RefusalLogOptions,
  TimeoutErrorOptions,
  TimeoutSource,
  PayloadTooLargeErrorOptions,
  RedisClient,
  RedisStore,
} from '@guard-suite/core';

// added by observability
export { ChannelNames, MetricNames, metricsReady } from '@guard-suite/core';
export type {
  CircuitBreakerStateMessage,
  ConcurrencyLimitMessage,
  GuardMeterProvider,
  LoadSheddingMessage,
} from '@guard-suite/core';
