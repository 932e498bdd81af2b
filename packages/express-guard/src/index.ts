// The only entry point of express-guard: the Express adapter, plus everything in guard-core.
export * from 'guard-core';
export { errorHandler } from './error-handler';
export { notFound } from './not-found';
export { asyncHandler } from './async-handler';

// Rate limiting
export { rateLimit } from './rate-limit';
export type { ExpressRateLimitOptions, RateLimitMiddleware } from './rate-limit';
export { bruteForce } from './brute-force';
export type { BruteForceMiddleware, ExpressBruteForceOptions } from './brute-force';
