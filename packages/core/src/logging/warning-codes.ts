/**
 * Stable codes of the one-time configuration and store warnings the suite logs (the `code` field of
 * the log entry). Like error codes, a code is never renamed or reused; docs/errors.md lists them.
 */
export const WarningCodes = {
  /** `trust proxy` is `true` (Express) or `app.proxy` is on without `maxIpsCount` (Koa). */
  TRUST_PROXY_SPOOFABLE: 'WARN_GUARD_TRUST_PROXY_SPOOFABLE',
  /** The Redis rate-limit store failed or was slow; the in-process insurance limiter took over. */
  RATE_LIMIT_STORE_UNAVAILABLE: 'WARN_GUARD_RATE_LIMIT_STORE_UNAVAILABLE',
  /** Redis answered again; the shared limit is back (logged at `info`). */
  RATE_LIMIT_STORE_RECOVERED: 'WARN_GUARD_RATE_LIMIT_STORE_RECOVERED',
  /** The breaker's Redis store failed or was slow; the breaker decides on its local state meanwhile. */
  BREAKER_STORE_UNAVAILABLE: 'WARN_GUARD_BREAKER_STORE_UNAVAILABLE',
  /** Redis answered the breaker again; its state is shared again (logged at `info`). */
  BREAKER_STORE_RECOVERED: 'WARN_GUARD_BREAKER_STORE_RECOVERED',
} as const;

/** Union of every warning code. */
export type WarningCode = (typeof WarningCodes)[keyof typeof WarningCodes];
