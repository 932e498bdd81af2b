import type { ServerResponse } from 'node:http';
import { RateLimitError } from '../errors/rate-limit-error';
import { createDefaultLogger } from '../logging/default-logger';
import type { GuardLogger } from '../logging/default-logger';
import { WarningCodes } from '../logging/warning-codes';
import { clientKey, readIpv6Subnet } from '../net/client-key';
import {
  forwardedHops,
  spoofableProxyReason,
  trustedHops,
  untrustedHopsReason,
} from '../net/trust-proxy';
import type { ProxySetting } from '../net/trust-proxy';
import { optionReader } from '../options/option-reader';
import { withoutStack } from '../errors/without-stack';
import { rejectRequestAsOptions } from '../options/reject-request-as-options';
import type { SectionTelemetryOptions } from '../telemetry/meter-provider-option';
import { createAllowedCounter, createRefusalSite } from '../telemetry/refusal';
import { criticalityOf, requestIdOf } from '../telemetry/request-facts';
import { createTelemetry } from '../telemetry/telemetry';
import { RATE_LIMITER_OPTION_KEYS, buildRateLimiter } from './rate-limiter';
import type { RateLimitDecision, RateLimiter, RateLimiterOptions } from './rate-limiter';

/** Options of the adapters' `rateLimit()` (and of guard()'s `rateLimit` section). */
export interface RateLimitOptions<TRequest> extends RateLimiterOptions {
  /**
   * The key to count under. Default: the client address as the framework resolved it (`req.ip` /
   * `ctx.ip`), IPv6 by its `ipv6Subnet` prefix, `::ffff:` mapped addresses as IPv4; see `clientKey`.
   * A key over 64 characters is counted under its SHA-256.
   */
  key?: (request: TRequest) => string;
  /**
   * Prefix length, in bits, that keys an IPv6 client: every address in one such prefix shares a
   * bucket. An integer from 32 to 128 (128: each address alone). Default `64`; docs/rate-limit.md
   * weighs it against express-rate-limit's 56. Ignored with a custom `key`.
   */
  ipv6Subnet?: number;
  /** Return `true` to let a request through uncounted (health checks, admins). */
  skip?: (request: TRequest) => boolean;
}

/** Defaults a composing middleware (guard()) passes down. */
export interface RateLimitDefaults extends SectionTelemetryOptions {
  /** Where the one-time warnings go, unless the options name their own `logger`. */
  logger?: GuardLogger | undefined;
}

/**
 * Everything an adapter needs to run a rate limit, decided here so the adapters only translate:
 * the limiter, the request key, the headers, the one-time proxy warning and the 429 error.
 */
export interface RateLimitSection<TRequest> {
  readonly limiter: RateLimiter;
  /** The user's `skip`, if any. */
  readonly skip: ((request: TRequest) => boolean) | undefined;
  /** The key of a request: the user's `key(request)`, or `clientKey(address)`. */
  keyOf(request: TRequest, address: string | undefined): string;
  /**
   * True while a proxy warning may still be due, so the adapter should pass each request's proxy
   * setting and `X-Forwarded-For` to `checkProxy`; false once a warning was logged or none can be.
   */
  readonly watchesProxy: boolean;
  /**
   * Logs, once each section, the spoofable-proxy warning (`trust proxy: true`, Koa `proxy` without
   * `maxIpsCount`) or, with a hop count, the warning for a request whose `X-Forwarded-For` carries
   * more addresses than the setting trusts.
   */
  checkProxy(setting: ProxySetting, forwardedFor: string | readonly string[] | undefined): void;
  /**
   * Answers a decision on the response: an allowed request gets the `RateLimit-Policy` and
   * `RateLimit` headers (unless turned off); a refused one throws the 429 `RateLimitError`, which
   * carries the same headers and `Retry-After` to the error handler, described as a `rate_limit`
   * refusal (`key` reaches the record only as a keyed hash; `state` is the per-request state).
   */
  answer(
    res: ServerResponse,
    decision: RateLimitDecision,
    key: string,
    state: object | undefined,
  ): void;
}

/**
 * Validates `rateLimit` options and builds the framework-neutral parts of the middleware.
 * `factory` names the caller in configuration errors (`rateLimit`, `guard`, …) and `pathPrefix`
 * where these options sit in its own (`rateLimit.` inside `guard()`).
 */
export function createRateLimitSection<TRequest>(
  factory: string,
  options: RateLimitOptions<TRequest> | undefined,
  defaults: RateLimitDefaults = {},
  pathPrefix = '',
): RateLimitSection<TRequest> {
  rejectRequestAsOptions(factory, options);
  const read = optionReader(
    factory,
    options,
    [...RATE_LIMITER_OPTION_KEYS, 'key', 'skip', 'ipv6Subnet'],
    pathPrefix,
  );
  const key = read.optionalFunction<(request: TRequest) => string>('key');
  const ipv6Subnet = readIpv6Subnet(read);
  const skip = read.optionalFunction<(request: TRequest) => boolean>('skip');
  const limiter = buildRateLimiter(
    {
      ...(options as RateLimiterOptions | undefined),
      ...(options?.logger === undefined && defaults.logger ? { logger: defaults.logger } : {}),
      ...(options?.meterProvider === undefined && defaults.meterProvider
        ? { meterProvider: defaults.meterProvider }
        : {}),
    },
    factory,
    ['key', 'skip', 'ipv6Subnet'],
    pathPrefix,
  );
  const { headers, name } = limiter.options;
  const policy = limiter.policyHeader;
  let logger = options?.logger ?? defaults.logger;
  const telemetry = createTelemetry(options?.meterProvider ?? defaults.meterProvider);
  const site = createRefusalSite(telemetry, 'rate_limit', name);
  const countAllowed = defaults.insideGuard ? undefined : createAllowedCounter(telemetry, name);
  // A custom key does not read the client address, so the proxy setting cannot be abused here.
  let watchesProxy = key === undefined;
  let settingChecked = false;
  const warn = (message: string, code: string) => {
    watchesProxy = false;
    logger ??= createDefaultLogger();
    logger.warn(`${factory} "${name}": ${message}`, { code });
  };

  return {
    limiter,
    skip,
    keyOf(request, address) {
      if (!key) return clientKey(address, ipv6Subnet);
      const value = key(request);
      // A key function that finds nothing must not open a bypass: such requests share one bucket.
      return typeof value === 'string' && value !== '' ? value : clientKey(undefined);
    },
    get watchesProxy() {
      return watchesProxy;
    },
    checkProxy(setting, forwardedFor) {
      if (!watchesProxy) return;
      if (!settingChecked) {
        settingChecked = true;
        const reason = spoofableProxyReason(setting);
        if (reason !== undefined) return warn(reason, WarningCodes.TRUST_PROXY_SPOOFABLE);
        // Only a hop count can be given away by a request; any other setting needs no more looks.
        if (trustedHops(setting) === undefined) {
          watchesProxy = false;
          return;
        }
      }
      // Until the first request whose header gives it away: a comma count, then nothing more.
      const reason = untrustedHopsReason(setting, forwardedHops(forwardedFor));
      if (reason !== undefined) warn(reason, WarningCodes.TRUST_PROXY_HOPS_EXCEEDED);
    },
    answer(res, decision, key, state) {
      if (!decision.allowed)
        throw site.refuse(
          withoutStack(
            () =>
              new RateLimitError(undefined, {
                retryAfterSeconds: Math.max(1, decision.retryAfterSeconds),
                headers: headers ? { 'RateLimit-Policy': policy, RateLimit: decision.header } : {},
              }),
          ),
          {
            limit: decision.limit,
            remaining: decision.remaining,
            key,
            criticality: criticalityOf(state),
            requestId: requestIdOf(res),
          },
        );
      countAllowed?.(criticalityOf(state));
      // Headers already on the wire (an earlier middleware flushed them): nothing left to add to.
      if (!headers || res.headersSent) return;
      res.setHeader('RateLimit-Policy', policy);
      res.setHeader('RateLimit', decision.header);
    },
  };
}
