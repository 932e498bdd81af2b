// @guard-suite/core/internal: what the Express and Koa adapters share with core. NOT for users:
// these names may change in any release. The adapters import them and never re-export them.

export { ERROR_CODE_PREFIX } from './errors/codes';
export { QUOTA_EXCEEDED_TYPE } from './errors/rate-limit-error';
export { optionReader } from './options/option-reader';
export type { OptionReader } from './options/option-reader';

// The error path
export { createErrorReporter, removeStaleHeaders } from './http/error-reporter';
export type { ErrorReporter, RequestInfo } from './http/error-reporter';
export { PROBLEM_CONTENT_TYPE } from './http/problem';
export type { ProblemResponse } from './http/problem';
export { classifyError } from './http/classify-error';
export type { ErrorClassification } from './http/classify-error';
export { createDefaultLogger } from './logging/default-logger';
export { redact, REDACTED } from './logging/redact';
export { serializeError } from './logging/serialize-error';
export type { SerializedError } from './logging/serialize-error';

// guard() and its sections: plan, admission, per-request state
export {
  createConcurrencySection,
  resolveGuardOptions,
  resolveLoadShedding,
} from './guard/guard-options';
export type { ResolvedGuard, ResolvedLoadShedding } from './guard/guard-options';
export { planGuard } from './guard/guard-plan';
export type { GuardPlan, GuardStepFactories } from './guard/guard-plan';
export { exposeCounts, exposeLimiter, exposeShedder } from './guard/expose-figures';
export { createLoadSheddingCheck } from './guard/load-shedding-check';
export type { LoadSheddingCheck } from './guard/load-shedding-check';
export { GuardState } from './http/guard-state';
export { headerWriter } from './http/header-writer';
export type { HeaderMiddleware, HeaderWriter } from './http/header-writer';
export { silenceLateWrites } from './http/silence-late-writes';
export { isClientGone } from './http/client-gone';
export { createRequestGate } from './policies/request-gate';
export type { RequestGate } from './policies/request-gate';
export { resolveRequestTimeoutOptions } from './policies/request-timeout';
export type { ResolvedRequestTimeoutOptions } from './policies/request-timeout';
export { startLoadShedder } from './policies/load-shedder';
export type { LoadProbe } from './policies/load-shedder';
export { createInputLimits } from './input/input-limits';
export type { InputLimits } from './input/input-limits';
export { createJsonBodyParser } from './input/json-body';
export type { JsonBodyParser } from './input/json-body';
export { scanJson } from './input/scan-json';
export type { JsonShape } from './input/scan-json';
export { createRequestValidator } from './input/validate';
export type { RequestValidator, ValidationInput } from './input/validate';
export { applyHardening } from './server/harden-server';
export type { ResolvedHardenServerOptions } from './server/harden-server';

// Rate limiting and brute force as middleware
export { buildRateLimiter } from './policies/rate-limiter';
export { createRateLimitSection } from './policies/rate-limit-section';
export type { RateLimitDefaults, RateLimitSection } from './policies/rate-limit-section';
export { buildBruteForceProtection } from './policies/brute-force';
export { createBruteForceSection } from './policies/brute-force-section';
export type { BruteForceSection } from './policies/brute-force-section';
export { UNKNOWN_CLIENT_KEY } from './net/client-key';
export { spoofableProxyReason } from './net/trust-proxy';
export type { ProxySetting } from './net/trust-proxy';

// Outbound internals
export { NEVER_ABORTED } from './policies/policy';
export { BREAKER_STORE_FALLBACK } from './policies/breaker-redis-sync';
export { isRetryable } from './policies/retry';
export { backoffDelayMs } from './policies/backoff';
export type { BackoffOptions } from './policies/backoff';

// Uploads and downloads as middleware
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
export { STALE_TEMP_MS } from './uploads/temp-files';
export type { ResolvedUploadOptions } from './uploads/upload-options';
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
export type { UploadShape } from './uploads/upload-route';

// The overload vocabulary's helpers
export {
  CRITICALITIES,
  CRITICALITY_HEADER,
  DEFAULT_CRITICALITY,
  criticalityRank,
  isCriticality,
  parseCriticality,
} from './overload/criticality';
export { isRejectionReason } from './telemetry/rejection';

// Shedding before dispatch, and the header writes it replays
export type { HeaderWrite } from './http/header-writer';
export type { PreDispatchFrame, PreDispatchShedding } from './guard/pre-dispatch-shedding';
export { noteShedAnswer } from './guard/shed-answerers';

// Recognising a request passed as options, and stackless refusals
export { rejectRequestAsOptions, requestKind } from './options/reject-request-as-options';
export { withoutStack } from './errors/without-stack';
