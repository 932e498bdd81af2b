/**
 * Stable codes of the one-time configuration and store warnings the suite logs (the `code` field of
 * the log entry). Like error codes, a code is never renamed or reused; docs/errors.md lists them.
 */
export const WarningCodes = {
  /** `trust proxy` is `true` (Express) or `app.proxy` is on without `maxIpsCount` (Koa). */
  TRUST_PROXY_SPOOFABLE: 'WARN_GUARD_TRUST_PROXY_SPOOFABLE',
  /**
   * A request's `X-Forwarded-For` held more addresses than a numeric `trust proxy` (Koa:
   * `maxIpsCount`) trusts: spoofable if fewer proxies are really in front.
   */
  TRUST_PROXY_HOPS_EXCEEDED: 'WARN_GUARD_TRUST_PROXY_HOPS_EXCEEDED',
  /** The Redis rate-limit store failed or was slow; the in-process insurance limiter took over. */
  RATE_LIMIT_STORE_UNAVAILABLE: 'WARN_GUARD_RATE_LIMIT_STORE_UNAVAILABLE',
  /** Redis answered again; the shared limit is back (logged at `info`). */
  RATE_LIMIT_STORE_RECOVERED: 'WARN_GUARD_RATE_LIMIT_STORE_RECOVERED',
  /** `app.use(errorHandler)`: the factory itself was mounted; it answers with its defaults meanwhile. */
  FACTORY_NOT_CALLED: 'WARN_GUARD_FACTORY_NOT_CALLED',
  /** Express: `errorHandler()` is mounted before routes or middleware, whose errors then skip it. */
  ERROR_HANDLER_MISPLACED: 'WARN_GUARD_ERROR_HANDLER_MISPLACED',
  /** Express 4: an async handler is not wrapped in `asyncHandler()`; its rejection would crash the process. */
  ASYNC_HANDLER_UNWRAPPED: 'WARN_GUARD_ASYNC_HANDLER_UNWRAPPED',
  /** The breaker's Redis store failed or was slow; the breaker decides on its local state meanwhile. */
  BREAKER_STORE_UNAVAILABLE: 'WARN_GUARD_BREAKER_STORE_UNAVAILABLE',
  /** Redis answered the breaker again; its state is shared again (logged at `info`). */
  BREAKER_STORE_RECOVERED: 'WARN_GUARD_BREAKER_STORE_RECOVERED',
} as const;

/** Union of every warning code. */
export type WarningCode = (typeof WarningCodes)[keyof typeof WarningCodes];
