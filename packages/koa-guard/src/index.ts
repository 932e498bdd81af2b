// The only entry point of koa-guard: the Koa adapter, plus everything in guard-core.
export * from 'guard-core';
export { errorHandler } from './error-handler';

// Rate limiting
export { rateLimit } from './rate-limit';
export type { KoaRateLimitOptions, RateLimitMiddleware } from './rate-limit';
export { bruteForce } from './brute-force';
export type { BruteForceMiddleware, KoaBruteForceOptions } from './brute-force';
