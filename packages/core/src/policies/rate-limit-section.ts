import { RateLimitError } from '../errors/rate-limit-error';
import { createDefaultLogger } from '../logging/default-logger';
import type { GuardLogger } from '../logging/default-logger';
import { WarningCodes } from '../logging/warning-codes';
import { clientKey } from '../net/client-key';
import { spoofableProxyReason } from '../net/trust-proxy';
import type { ProxySetting } from '../net/trust-proxy';
import { optionReader } from '../options/option-reader';
import { RATE_LIMITER_OPTION_KEYS, createRateLimiter } from './rate-limiter';
import type { RateLimitDecision, RateLimiter, RateLimiterOptions } from './rate-limiter';

/** Options of the adapters' `rateLimit()` (and of guard()'s `rateLimit` section). */
export interface RateLimitOptions<TRequest> extends RateLimiterOptions {
  /**
   * The key to count under. Default: the client address as the framework resolved it (`req.ip` /
   * `ctx.ip`), IPv6 by /64, `::ffff:` mapped addresses as IPv4; see `clientKey`.
   */
  key?: (request: TRequest) => string;
  /** Return `true` to let a request through uncounted (health checks, admins). */
  skip?: (request: TRequest) => boolean;
}

/** Defaults a composing middleware (guard()) passes down. */
export interface RateLimitDefaults {
  /** Where the one-time warnings go, unless the options name their own `logger`. */
  logger?: GuardLogger | undefined;
}

/**
 * Everything an adapter needs to run a rate limit, decided here so the adapters only translate:
 * the limiter, the request key, the headers, the one-time proxy warning and the 429 error.
 */
export interface RateLimitSection<TRequest> {
  readonly limiter: RateLimiter;
  /** Whether to send `RateLimit-Policy` / `RateLimit`. */
  readonly headers: boolean;
  /** The user's `skip`, if any. */
  readonly skip: ((request: TRequest) => boolean) | undefined;
  /** The key of a request: the user's `key(request)`, or `clientKey(address)`. */
  keyOf(request: TRequest, address: string | undefined): string;
  /** True until the proxy setting has been checked once. */
  readonly proxyUnchecked: boolean;
  /** Logs the spoofable-proxy warning if the setting calls for it; runs once, later calls do nothing. */
  checkProxy(setting: ProxySetting): void;
  /** The error a rejected request is answered with (429 with Retry-After and the RateLimit headers). */
  reject(decision: RateLimitDecision): RateLimitError;
}

/**
 * Validates `rateLimit` options and builds the framework-neutral parts of the middleware.
 * `factory` names the caller in configuration errors (`rateLimit`, `guard`, …).
 */
export function createRateLimitSection<TRequest>(
  factory: string,
  options: RateLimitOptions<TRequest> | undefined,
  defaults: RateLimitDefaults = {},
): RateLimitSection<TRequest> {
  const read = optionReader(factory, options, [...RATE_LIMITER_OPTION_KEYS, 'key', 'skip']);
  const key = read.optionalFunction<(request: TRequest) => string>('key');
  const skip = read.optionalFunction<(request: TRequest) => boolean>('skip');
  const limiter = createRateLimiter(
    {
      ...(options as RateLimiterOptions | undefined),
      ...(options?.logger === undefined && defaults.logger ? { logger: defaults.logger } : {}),
    },
    factory,
    ['key', 'skip'],
  );
  const { headers, name } = limiter.options;
  let logger = options?.logger ?? defaults.logger;
  let proxyUnchecked = true;

  return {
    limiter,
    headers,
    skip,
    keyOf(request, address) {
      if (!key) return clientKey(address);
      const value = key(request);
      // A key function that finds nothing must not open a bypass: such requests share one bucket.
      return typeof value === 'string' && value !== '' ? value : clientKey(undefined);
    },
    get proxyUnchecked() {
      return proxyUnchecked;
    },
    checkProxy(setting) {
      if (!proxyUnchecked) return;
      proxyUnchecked = false;
      // A custom key does not read the client address, so the proxy setting cannot be abused here.
      if (key) return;
      const reason = spoofableProxyReason(setting);
      if (reason === undefined) return;
      logger ??= createDefaultLogger();
      logger.warn(`${factory} "${name}": ${reason}`, { code: WarningCodes.TRUST_PROXY_SPOOFABLE });
    },
    reject(decision) {
      return new RateLimitError(undefined, {
        retryAfter: Math.max(1, decision.resetSeconds),
        headers: headers
          ? { 'RateLimit-Policy': limiter.policyHeader, RateLimit: decision.header }
          : {},
      });
    },
  };
}
