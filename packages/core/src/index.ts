// The public entry of @guard-suite/core: what users type. Every name is listed explicitly; what only
// the adapters need lives in ./internal.ts (`@guard-suite/core/internal`), which is not for users.

// Errors: one hierarchy, stable codes
export { ErrorCodes } from './errors/codes';
export type { ErrorCode } from './errors/codes';
export { GuardError, isGuardError } from './errors/guard-error';
export type { GuardErrorOptions } from './errors/guard-error';
export { GuardConfigError } from './errors/guard-config-error';
export { RateLimitError } from './errors/rate-limit-error';
export { ConcurrencyLimitError } from './errors/concurrency-limit-error';
export { TimeoutError } from './errors/timeout-error';
export { LoadShedError } from './errors/load-shed-error';
export { CircuitOpenError } from './errors/circuit-open-error';
export { ResourceLimitError } from './errors/resource-limit-error';
export { PayloadTooLargeError } from './errors/payload-too-large-error';
export { UriTooLongError } from './errors/uri-too-long-error';
export { InvalidInputError } from './errors/invalid-input-error';
export { UnsupportedMediaTypeError } from './errors/unsupported-media-type-error';
export { InsufficientStorageError } from './errors/insufficient-storage-error';
export { NotFoundError } from './errors/not-found-error';
export { AbortedError } from './errors/aborted-error';
export { WarningCodes } from './logging/warning-codes';
export type { WarningCode } from './logging/warning-codes';
export { RejectionReasons } from './telemetry/rejection';
export type { RejectionPolicy, RejectionReason, RejectionRecord } from './telemetry/rejection';

// The error handler's options and what the client receives
export type { ErrorHandlerOptions } from './http/error-reporter';
export type { ProblemBody } from './http/problem';
export type { GuardLogger } from './logging/default-logger';

// Inbound protection: the options of guard() and its sections, and per-request state
export type {
  GuardOptions,
  ConcurrencyLimitOptions,
  LoadSheddingOptions,
} from './guard/guard-options';
export type { GuardControls, GuardStatus } from './guard/guard-plan';
export type { ConcurrencyCounts, LoadSheddingControls } from './guard/expose-figures';
export type { GuardState } from './http/guard-state';
export type { Criticality } from './overload/criticality';
export type { RequestTimeoutOptions } from './policies/request-timeout';
export type { InputLimitsOptions } from './input/input-limits';
export type { JsonBodyOptions } from './input/json-body';
export type { InvalidParam, ValidateOptions, ValidationSchemas } from './input/validate';
export type { RateLimitOptions } from './policies/rate-limit-section';
export type { BruteForceMiddlewareOptions } from './policies/brute-force-section';
export { hardenServer } from './server/harden-server';
export type { HardenServerOptions } from './server/harden-server';

// The policies on their own, for any Node code
export { createRateLimiter } from './policies/rate-limiter';
export type {
  RateLimitDecision,
  RateLimiter,
  RateLimiterOptions,
  RateLimitStoreOption,
  ResolvedRateLimiterOptions,
} from './policies/rate-limiter';
export { clientKey } from './net/client-key';
export { createMemoryStore } from './stores/memory-store';
export type { MemoryStore, MemoryStoreOptions } from './stores/memory-store';
export { createRedisStore } from './stores/redis-store';
export type { RedisStoreOptions } from './stores/redis-store';
export { createInsuredStore } from './stores/insured-store';
export type { InsuredStore, InsuredStoreOptions } from './stores/insured-store';
export type { RateLimitStore, StoreHit, StoreOptions } from './stores/store';
export { createBruteForceProtection } from './policies/brute-force';
export type {
  BruteForceDecision,
  BruteForceOptions,
  BruteForceProtection,
} from './policies/brute-force';
export { createConcurrencyLimiter } from './policies/concurrency-limiter';
export type {
  ConcurrencyLimiter,
  ConcurrencyLimiterOptions,
  Permit,
} from './policies/concurrency-limiter';
export { createLoadShedder } from './policies/load-shedder';
export type {
  LoadFigures,
  LoadShedder,
  LoadProbe,
  LoadShedderOptions,
  ResolvedLoadShedderOptions,
} from './policies/load-shedder';

// Outbound calls and heavy work
export type { ExecuteOptions, Policy, PolicyContext, PolicyFn } from './policies/policy';
export { createCircuitBreaker } from './policies/circuit-breaker';
export type {
  CircuitBreaker,
  CircuitBreakerEvent,
  CircuitBreakerEventMap,
  CircuitBreakerOptions,
  CircuitBreakerStats,
  CircuitBreakerStoreOptions,
  CircuitState,
} from './policies/circuit-breaker';
export type { WindowTotals } from './policies/rolling-window';
export { createRetry, retry } from './policies/retry';
export type { RetryCallOptions, RetryEvent, RetryOptions, RetryPolicy } from './policies/retry';
export type { Jitter } from './policies/backoff';
export type { RetryBudgetOptions } from './policies/retry-budget';
export { createTimeout, withTimeout } from './policies/timeout';
export type { TimeoutPolicy } from './policies/timeout';
export { createBulkhead } from './policies/bulkhead';
export type { Bulkhead, BulkheadOptions } from './policies/bulkhead';
export { wrap } from './policies/compose';
export { createIsolatedPool } from './isolation/isolated-pool';
export type {
  IsolatedPool,
  IsolatedPoolOptions,
  IsolatedRunOptions,
} from './isolation/isolated-pool';

// Uploads and the file store
export { DEFAULT_ALLOWED_EXTENSIONS } from './uploads/upload-options';
export type { UploadOptions } from './uploads/upload-options';
export type { UploadRecord } from './uploads/upload-record';
export type { UploadStatus } from './uploads/upload-status';
export type { UploadRoutes } from './uploads/upload-route';
export { createFileStore } from './files/file-store';
export type { FileStore, FileStoreOptions, StoredFileStat } from './files/file-store';

// Overload control: request criticality and the adaptive concurrency limit
export type { CriticalityOptions } from './overload/resolve-criticality';
export type {
  AdaptiveAlgorithm,
  AdaptiveLimitOptions,
  ResolvedAdaptiveLimitOptions,
} from './overload/adaptive-limit';
export type {
  PermitOutcome,
  ResolvedConcurrencyLimiterOptions,
} from './policies/concurrency-limiter';
export type { ConcurrencyLimitControls } from './guard/expose-figures';
export type { LoadMeasurement } from './overload/shed-controller';
export type { SampleWindowOptions } from './overload/sample-window';
export type { RefusalLogOptions } from './http/error-reporter';
export type { TimeoutErrorOptions, TimeoutSource } from './errors/timeout-error';
export type { PayloadTooLargeErrorOptions } from './errors/payload-too-large-error';
export type { RedisClient } from './stores/redis-client';
export type { RedisStore } from './stores/redis-store';

// added by observability
export { ChannelNames } from './telemetry/channels';
export type {
  CircuitBreakerStateMessage,
  ConcurrencyLimitMessage,
  LoadSheddingMessage,
} from './telemetry/channels';
export { MetricNames } from './telemetry/instruments';
export { metricsReady } from './telemetry/telemetry';
export type { GuardMeterProvider } from './telemetry/meter-provider';
