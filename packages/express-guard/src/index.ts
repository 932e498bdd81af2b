// The only entry point of express-guard: the Express adapter, plus everything in guard-core.
export * from '@guard-suite/core';
export { errorHandler } from './error-handler';
export { notFound } from './not-found';
export { asyncHandler } from './async-handler';

// Inbound protection (guard)
export { guard } from './guard';
export type { ExpressGuardOptions, GuardMiddleware } from './guard';
export { securityHeaders, createSecurityHeadersStep } from './security-headers';
export type { SecurityHeadersOptions } from './security-headers';
export { loadShedding, createLoadSheddingStep } from './load-shedding';
export type { ExpressLoadSheddingOptions, LoadSheddingMiddleware } from './load-shedding';
export { inputLimits, createInputLimitsStep } from './input-limits';
export { concurrencyLimit } from './concurrency-limit';
export type { ConcurrencyLimitMiddleware } from './concurrency-limit';
export { timeout } from './timeout';
export { jsonBody } from './json-body';
export { validate } from './validate';
export { runSteps } from './step';
export type { Step } from './step';

// Rate limiting
export { rateLimit } from './rate-limit';
export type { ExpressRateLimitOptions, RateLimitMiddleware } from './rate-limit';
export { bruteForce } from './brute-force';
export type { BruteForceMiddleware, ExpressBruteForceOptions } from './brute-force';

// Uploads and downloads
export { upload } from './upload';
export type { Upload } from './upload';
export { sendStoredFile } from './send-stored-file';

// added by shedder
export type { ErrorHandlerMiddleware } from './error-handler';
