// The only entry point of guard-core: every public name is listed here explicitly.

export { ErrorCodes, ERROR_CODE_PREFIX } from './errors/codes';
export type { ErrorCode } from './errors/codes';
export { GuardError, isGuardError } from './errors/guard-error';
export type { GuardErrorOptions } from './errors/guard-error';
export { GuardConfigError } from './errors/guard-config-error';
export { RateLimitError, QUOTA_EXCEEDED_TYPE } from './errors/rate-limit-error';
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

export { optionReader } from './options/option-reader';
export type { OptionReader } from './options/option-reader';

export { createErrorReporter, removeStaleHeaders } from './http/error-reporter';
export type { ErrorHandlerOptions, ErrorReporter, RequestInfo } from './http/error-reporter';
export { PROBLEM_CONTENT_TYPE } from './http/problem';
export type { ProblemBody, ProblemResponse } from './http/problem';
export { classifyError } from './http/classify-error';
export type { ErrorClassification } from './http/classify-error';
export { createDefaultLogger } from './logging/default-logger';
export type { GuardLogger } from './logging/default-logger';
export { redact, REDACTED } from './logging/redact';
export { serializeError } from './logging/serialize-error';
export type { SerializedError } from './logging/serialize-error';

export { createConcurrencyLimiter } from './policies/concurrency-limiter';
export type {
  ConcurrencyLimiter,
  ConcurrencyLimiterOptions,
  Permit,
} from './policies/concurrency-limiter';

// Inbound protection (guard): load shedding, admission (concurrency + timeout), input limits, JSON, validation, server hardening
export { createLoadShedder, startLoadShedder } from './policies/load-shedder';
export type {
  LoadFigures,
  LoadProbe,
  LoadShedder,
  LoadShedderOptions,
  ResolvedLoadShedderOptions,
} from './policies/load-shedder';
export { resolveRequestTimeoutOptions } from './policies/request-timeout';
export type {
  RequestTimeoutOptions,
  ResolvedRequestTimeoutOptions,
} from './policies/request-timeout';
export { createRequestGate } from './policies/request-gate';
export type { RequestGate } from './policies/request-gate';
export { GuardState } from './http/guard-state';
export { headerWriter } from './http/header-writer';
export type { HeaderMiddleware, HeaderWriter } from './http/header-writer';
export { silenceLateWrites } from './http/silence-late-writes';
export { isClientGone } from './http/client-gone';
export { createInputLimits } from './input/input-limits';
export type { InputLimits, InputLimitsOptions } from './input/input-limits';
export { scanJson } from './input/scan-json';
export type { JsonShape } from './input/scan-json';
export { createJsonBodyParser } from './input/json-body';
export type { JsonBodyOptions, JsonBodyParser } from './input/json-body';
export { createRequestValidator } from './input/validate';
export type {
  InvalidParam,
  RequestValidator,
  ValidateOptions,
  ValidationInput,
  ValidationSchemas,
} from './input/validate';
export { applyHardening, hardenServer } from './server/harden-server';
export type { HardenServerOptions, ResolvedHardenServerOptions } from './server/harden-server';
export {
  createConcurrencySection,
  resolveGuardOptions,
  resolveLoadShedding,
} from './guard/guard-options';
export type {
  ConcurrencyLimitOptions,
  GuardOptions,
  LoadSheddingOptions,
  ResolvedGuard,
} from './guard/guard-options';
export { planGuard } from './guard/guard-plan';
export { exposeCounts, exposeShedder } from './guard/expose-figures';
export type { ConcurrencyCounts, LoadSheddingControls } from './guard/expose-figures';
export type { GuardControls, GuardPlan, GuardStatus, GuardStepFactories } from './guard/guard-plan';

// Rate limiting
export { clientKey, UNKNOWN_CLIENT_KEY } from './net/client-key';
export { spoofableProxyReason } from './net/trust-proxy';
export type { ProxySetting } from './net/trust-proxy';
export { WarningCodes } from './logging/warning-codes';
export type { WarningCode } from './logging/warning-codes';
export { createMemoryStore } from './stores/memory-store';
export type { MemoryStore, MemoryStoreOptions } from './stores/memory-store';
export { createRedisStore } from './stores/redis-store';
export type { RedisStoreOptions } from './stores/redis-store';
export type { RateLimitStore, StoreHit, StoreOptions } from './stores/store';
export { createRateLimiter } from './policies/rate-limiter';
export type {
  RateLimitDecision,
  RateLimiter,
  RateLimiterOptions,
  RateLimitStoreOption,
  ResolvedRateLimiterOptions,
} from './policies/rate-limiter';
export { createRateLimitSection } from './policies/rate-limit-section';
export type {
  RateLimitDefaults,
  RateLimitOptions,
  RateLimitSection,
} from './policies/rate-limit-section';
export { createBruteForceProtection } from './policies/brute-force';
export type {
  BruteForceDecision,
  BruteForceOptions,
  BruteForceProtection,
} from './policies/brute-force';
export { createBruteForceSection } from './policies/brute-force-section';
export type {
  BruteForceMiddlewareOptions,
  BruteForceSection,
} from './policies/brute-force-section';
export { createInsuredStore } from './stores/insured-store';
export type { InsuredStore, InsuredStoreOptions } from './stores/insured-store';

// Outbound policies and isolated work (issue 4)
export { NEVER_ABORTED } from './policies/policy';
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
export { BREAKER_STORE_FALLBACK } from './policies/breaker-redis-sync';
export { createRetry, retry, isRetryable } from './policies/retry';
export type { RetryCallOptions, RetryEvent, RetryOptions, RetryPolicy } from './policies/retry';
export { backoffDelayMs } from './policies/backoff';
export type { BackoffOptions, Jitter } from './policies/backoff';
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
export {
  createUploadEngine,
  MAX_FIELD_BYTES,
  MAX_TRACKED_UPLOADS,
  STREAM_BUFFER_BYTES,
} from './uploads/upload-engine';
export type {
  IncomingUploadFile,
  StorageEngine,
  UploadEngine,
  UploadSession,
} from './uploads/upload-engine';
export { DEFAULT_ALLOWED_EXTENSIONS } from './uploads/upload-options';
export { STALE_TEMP_MS } from './uploads/temp-files';
export type { ResolvedUploadOptions, UploadOptions } from './uploads/upload-options';
export type { UploadRecord } from './uploads/upload-record';
export type { UploadStatus } from './uploads/upload-status';
export { checkFilename, MAX_FILENAME_BYTES } from './uploads/filename-policy';
export type { CheckedFilename } from './uploads/filename-policy';
export { sniffType, SNIFF_BYTES, SNIFF_TIMEOUT_MS } from './uploads/file-type';
export type { DetectedType, FileTypeFromBuffer } from './uploads/file-type';
export { matchContent, isTextExtension } from './uploads/content-policy';
export {
  ScriptScanner,
  TEXT_SCRIPT_PATTERNS,
  BINARY_SCRIPT_PATTERNS,
} from './uploads/script-scanner';
export { toUploadError } from './uploads/upload-errors';
export { createFileStore } from './files/file-store';
export type { FileStore, FileStoreOptions, StoredFileStat } from './files/file-store';
export { contentDisposition } from './files/content-disposition';
export { prepareDownload } from './files/download-response';
export type { StoredFileDownload } from './files/download-response';
export { closeAfterAnswer, LINGER_MS } from './uploads/linger';
export {
  createUploadRoutes,
  isMultipart,
  multerOptions,
  parsedFiles,
} from './uploads/upload-route';
export type { UploadRoutes, UploadShape } from './uploads/upload-route';

// added by redis
export type { RedisClient } from './stores/redis-client';
export type { RedisStore } from './stores/redis-store';
