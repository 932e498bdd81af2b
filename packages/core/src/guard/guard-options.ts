import type { GuardLogger } from '../logging/default-logger';
import { optionReader } from '../options/option-reader';
import { describeValue } from '../options/describe-value';
import type { ConcurrencyLimiterOptions } from '../policies/concurrency-limiter';
import {
  limiterFromResolved,
  readConcurrencyMeterProvider,
  resolveConcurrencyOptions,
} from '../policies/concurrency-limiter';
import type { ConcurrencyLimiter } from '../policies/concurrency-limiter';
import type { LoadShedderOptions, ResolvedLoadShedderOptions } from '../policies/load-shedder';
import { resolveLoadShedderOptions } from '../policies/load-shedder';
import type { RequestTimeoutOptions } from '../policies/request-timeout';
import { resolveRequestTimeoutOptions } from '../policies/request-timeout';
import type { InputLimitsOptions } from '../input/input-limits';
import { createInputLimits } from '../input/input-limits';
import type { InputLimits } from '../input/input-limits';
import { GuardConfigError } from '../errors/guard-config-error';
import { createCriticalityResolver } from '../overload/resolve-criticality';
import type { CriticalityOptions, CriticalityResolver } from '../overload/resolve-criticality';
import { rejectRequestAsOptions } from '../options/reject-request-as-options';
import type { GuardMeterProvider } from '../telemetry/meter-provider';
import { readMeterProvider } from '../telemetry/meter-provider-option';

/** `loadShedding` options as the adapters take them: the core options plus a `skip` predicate. */
export interface LoadSheddingOptions<TRequest> extends LoadShedderOptions {
  /** Exempts a request from shedding (health checks, admin routes). Called with `req` / `ctx`. */
  skip?: (request: TRequest) => boolean;
}

/**
 * `concurrency` options of `guard()` and `concurrencyLimit()`. Without `max`, the limit is adaptive
 * (Gradient2 from 20) with a bounded CoDel queue; `max: n` is a fixed limit with no queue by default.
 */
export type ConcurrencyLimitOptions = ConcurrencyLimiterOptions;

/**
 * Options of `guard()`. Every section is on with its defaults when left out, and off with `false`;
 * `TRateLimit` is the adapter's rate-limit options, `TRequest` is `req` (Express) or `ctx` (Koa).
 */
export interface GuardOptions<
  TRequest,
  TRateLimit = Record<string, unknown>,
> extends CriticalityOptions<TRequest> {
  /** Winston logger (or any `{ warn }`) for one-time configuration warnings. */
  logger?: GuardLogger;
  /** The security-headers section, as `securityHeaders()`: helmet's own options, or `false` for none. */
  helmet?: Record<string, unknown> | false;
  /** Load shedding, or `false`. */
  loadShedding?: LoadSheddingOptions<TRequest> | false;
  /** Rate limiting, or `false`. */
  rateLimit?: TRateLimit | false;
  /** Concurrency limit (bulkhead), or `false`. */
  concurrency?: ConcurrencyLimitOptions | false;
  /** Request timeout, or `false`. */
  timeout?: RequestTimeoutOptions | false;
  /** URL and body size limits, or `false`. */
  inputLimits?: InputLimitsOptions | false;
  /**
   * Where every section records its metrics (an OpenTelemetry MeterProvider); a section's own
   * `meterProvider` wins. Default: the global MeterProvider, looked up when `guard()` is called.
   */
  meterProvider?: GuardMeterProvider;
}

/** `guard()` options checked and turned into the policies both adapters run. */
export interface ResolvedGuard<TRequest, TRateLimit> {
  logger: GuardLogger | undefined;
  helmet: Record<string, unknown> | false;
  loadShedding: ResolvedLoadShedding<TRequest> | false;
  rateLimit: TRateLimit | false;
  concurrency: ConcurrencyLimiter | false;
  timeoutMs: number | undefined;
  inputLimits: InputLimits | false;
  /** Classifies each request (`state.criticality`); `undefined` when every request is `'critical'`. */
  classify: CriticalityResolver<TRequest> | undefined;
  /** The `meterProvider` option (`undefined`: the global one). */
  meterProvider: GuardMeterProvider | undefined;
}

const SECTIONS = [
  'logger',
  'helmet',
  'loadShedding',
  'rateLimit',
  'concurrency',
  'timeout',
  'inputLimits',
  'criticality',
  'trustCriticalityHeader',
  'meterProvider',
] as const;

/** `loadShedding` options resolved, with the adapter's `skip` and the section's own `meterProvider`. */
export interface ResolvedLoadShedding<TRequest> {
  options: ResolvedLoadShedderOptions;
  skip: ((r: TRequest) => boolean) | undefined;
  meterProvider: GuardMeterProvider | undefined;
}

/** Resolves `loadShedding` options with the adapter's `skip`. */
export function resolveLoadShedding<TRequest>(
  factory: string,
  options: unknown,
  pathPrefix = '',
): ResolvedLoadShedding<TRequest> {
  const resolved = resolveLoadShedderOptions(factory, options, ['skip'], pathPrefix);
  const read = optionReader(
    factory,
    options,
    [...Object.keys(resolved), 'skip', 'meterProvider'],
    pathPrefix,
  );
  const skip = read.optionalFunction<(r: TRequest) => boolean>('skip');
  return { options: resolved, skip, meterProvider: readMeterProvider(read) };
}

/**
 * Builds the concurrency limiter of `concurrencyLimit()` / `guard({ concurrency })`;
 * `meterProvider` is `guard()`'s, used unless the section names its own.
 */
export function createConcurrencySection(
  factory: string,
  options: unknown,
  pathPrefix = '',
  meterProvider?: GuardMeterProvider,
): ConcurrencyLimiter {
  if (pathPrefix === '') rejectRequestAsOptions(factory, options);
  const given = options ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    const hint =
      typeof given === 'function'
        ? ` (did you write app.use(${factory}) instead of app.use(${factory}())?)`
        : '';
    throw new GuardConfigError(
      `${factory}: options must be an object, received ${describeValue(given)}${hint}`,
      'options',
    );
  }
  return limiterFromResolved(
    resolveConcurrencyOptions(factory, given, pathPrefix, true),
    factory,
    {},
    readConcurrencyMeterProvider(factory, given, pathPrefix, meterProvider),
  );
}

/**
 * Checks every `guard()` section at construction and builds its policy. A section left out is on
 * with its defaults; `false` turns it off.
 */
export function resolveGuardOptions<TRequest, TRateLimit>(
  factory: string,
  options: unknown,
): ResolvedGuard<TRequest, TRateLimit> {
  const read = optionReader(factory, options, SECTIONS);
  const section = (key: (typeof SECTIONS)[number]): unknown => {
    const value = read.raw(key);
    if (value === false) return false;
    if (value === undefined) return {};
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return read.fail(key, 'an options object or false', value);
    return value;
  };
  const logger = read.raw('logger') as { warn?: unknown } | null | undefined;
  if (logger !== undefined && typeof logger?.warn !== 'function')
    read.fail('logger', 'a winston logger (an object with a warn method)', logger);

  const meterProvider = readMeterProvider(read);
  const helmet = section('helmet');
  const loadShedding = section('loadShedding');
  const concurrency = section('concurrency');
  const timeout = section('timeout');
  const inputLimits = section('inputLimits');
  return {
    logger: logger as GuardLogger | undefined,
    helmet: helmet as Record<string, unknown> | false,
    loadShedding:
      loadShedding === false
        ? false
        : resolveLoadShedding<TRequest>(factory, loadShedding, 'loadShedding.'),
    rateLimit: section('rateLimit') as TRateLimit | false,
    concurrency:
      concurrency === false
        ? false
        : createConcurrencySection(factory, concurrency, 'concurrency.', meterProvider),
    timeoutMs:
      timeout === false ? undefined : resolveRequestTimeoutOptions(factory, timeout, 'timeout.').ms,
    inputLimits:
      inputLimits === false
        ? false
        : createInputLimits(inputLimits as InputLimitsOptions, factory, 'inputLimits.', {
            meterProvider,
            insideGuard: true,
          }),
    classify: createCriticalityResolver<TRequest>(factory, {
      criticality: read.raw('criticality'),
      trustCriticalityHeader: read.raw('trustCriticalityHeader'),
    }),
    meterProvider,
  };
}
