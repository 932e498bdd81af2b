import { CircuitOpenError } from '../errors/circuit-open-error';
import { isGuardError } from '../errors/guard-error';
import { MAX_TIMER_MS, optionReader } from '../options/option-reader';
import type { GuardMeterProvider, MetricAttributes } from '../telemetry/meter-provider';
import { readMeterProvider } from '../telemetry/meter-provider-option';
import { createTelemetry } from '../telemetry/telemetry';
import type { Telemetry } from '../telemetry/telemetry';
import { abortError } from './abort';
import { backoffDelayMs } from './backoff';
import type { BackoffOptions, Jitter } from './backoff';
import type { ExecuteOptions, Policy, PolicyFn } from './policy';
import { NEVER_ABORTED } from './policy';
import { createRetryBudget } from './retry-budget';
import type { RetryBudget, RetryBudgetOptions } from './retry-budget';

/** What `onRetry` is told before each wait. */
export interface RetryEvent {
  /** The failure that triggered the retry. */
  error: unknown;
  /** The attempt that failed (1 = the first call). */
  attempt: number;
  /** The wait before the next attempt, in milliseconds. */
  delayMs: number;
}

/** Options of `createRetry` and `retry`. */
export interface RetryOptions {
  /** Retries after the first attempt (so at most `retries + 1` calls). Default `3`. */
  retries?: number;
  /** Delay before the first retry, in milliseconds; doubles on each retry. Default `1000`. */
  baseDelayMs?: number;
  /**
   * Cap of any wait between attempts, in milliseconds, including one a failure asks for with
   * `retryAfterSeconds`. Default `60000`.
   */
  maxDelayMs?: number;
  /**
   * Longest wait a failure's `retryAfterSeconds` may ask for, in milliseconds, when that should be
   * more than `maxDelayMs` (at least `maxDelayMs`, at most 2^31-1). Default: `maxDelayMs`.
   */
  maxRetryAfterMs?: number;
  /** `'full'` (uniform 0…delay, the default), `'equal'` (delay/2…delay) or `'none'`. */
  jitter?: Jitter;
  /**
   * Decides whether a failure is retried. Default: everything except a `CircuitOpenError`, an
   * `AbortedError`, and any error whose `status` or `statusCode` is a 4xx (the request itself is wrong;
   * sending it again cannot help). Even a custom `retryIf` never sees a `CircuitOpenError`.
   */
  retryIf?: (error: unknown, attempt: number) => boolean;
  /** Called before each wait (for logs or metrics). */
  onRetry?: (event: RetryEvent) => void;
  /** Caps retries to a share of calls over a rolling window; see `RetryBudgetOptions`. Default: no budget. */
  budget?: RetryBudgetOptions;
  /** Names the policy in metrics (`guard.name`). Default `'default'`. */
  name?: string;
  /** Where its metrics go (an OpenTelemetry MeterProvider). Default: the global MeterProvider. */
  meterProvider?: GuardMeterProvider;
}

/** Options of the one-call `retry`: the policy's options plus the caller's signal and deadline. */
export interface RetryCallOptions extends RetryOptions {
  /** Stops retrying at once when it aborts, also in the middle of a wait. */
  signal?: AbortSignal;
  /**
   * The caller's deadline, in epoch milliseconds (`req.guard.deadline`): a wait that would end after
   * it is not started, and the last failure is rethrown at once. Default: none.
   */
  deadline?: number;
}

/** A retry policy. */
export type RetryPolicy = Policy;

const KNOWN_OPTIONS = [
  'retries',
  'baseDelayMs',
  'maxDelayMs',
  'maxRetryAfterMs',
  'jitter',
  'retryIf',
  'onRetry',
  'budget',
  'name',
  'meterProvider',
] as const;

interface ResolvedRetry extends BackoffOptions {
  retries: number;
  /** The longest wait of all, whoever asks for it. */
  maxRetryAfterMs: number;
  retryIf: ((error: unknown, attempt: number) => boolean) | undefined;
  onRetry: ((event: RetryEvent) => void) | undefined;
  budget: RetryBudget | undefined;
  name: string;
  meterProvider: GuardMeterProvider | undefined;
}

function resolveRetryOptions(factory: string, options: unknown): ResolvedRetry {
  const read = optionReader(factory, options, KNOWN_OPTIONS);
  const baseDelayMs = read.nonNegativeInteger('baseDelayMs', 1000, 'milliseconds');
  const maxDelayMs = read.nonNegativeInteger('maxDelayMs', 60_000, 'milliseconds');
  if (maxDelayMs < baseDelayMs)
    read.fail('maxDelayMs', `at least baseDelayMs (${baseDelayMs})`, maxDelayMs);
  if (maxDelayMs > MAX_TIMER_MS)
    read.fail('maxDelayMs', `at most ${MAX_TIMER_MS} (milliseconds)`, maxDelayMs);
  const maxRetryAfterMs = read.nonNegativeInteger('maxRetryAfterMs', maxDelayMs, 'milliseconds');
  if (maxRetryAfterMs < maxDelayMs)
    read.fail('maxRetryAfterMs', `at least maxDelayMs (${maxDelayMs})`, maxRetryAfterMs);
  if (maxRetryAfterMs > MAX_TIMER_MS)
    read.fail('maxRetryAfterMs', `at most ${MAX_TIMER_MS} (milliseconds)`, maxRetryAfterMs);
  return {
    retries: read.nonNegativeInteger('retries', 3, 'retries'),
    baseDelayMs,
    maxDelayMs,
    maxRetryAfterMs,
    jitter: read.oneOf('jitter', ['full', 'equal', 'none'] as const, 'full'),
    retryIf: read.optionalFunction('retryIf'),
    onRetry: read.optionalFunction('onRetry'),
    budget: read.has('budget') ? createRetryBudget(read.raw('budget'), factory) : undefined,
    name: read.string('name', 'default'),
    meterProvider: readMeterProvider(read),
  };
}

/** How an attempt ended, as `guard.retry.attempts` counts it. */
type AttemptResult = 'success' | 'retry' | 'give_up' | 'budget_exhausted';

/** Counts attempts by outcome, with attributes built once. */
function attemptCounter(telemetry: Telemetry, name: string): (result: AttemptResult) => void {
  const attributes = (result: AttemptResult): MetricAttributes =>
    Object.freeze({ 'guard.name': name, 'guard.result': result });
  const byResult: Readonly<Record<AttemptResult, MetricAttributes>> = {
    success: attributes('success'),
    retry: attributes('retry'),
    give_up: attributes('give_up'),
    budget_exhausted: attributes('budget_exhausted'),
  };
  return (result) => {
    if (telemetry.enabled) telemetry.instruments.retryAttempts.add(1, byResult[result]);
  };
}

/** The default `retryIf`: transient failures only. */
export function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  if (isGuardError(error) && error.code === 'ERR_GUARD_ABORTED') return false;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const code = typeof status === 'number' ? status : statusCode;
  return !(typeof code === 'number' && code >= 400 && code < 500);
}

function isCircuitOpen(error: unknown): boolean {
  return (
    error instanceof CircuitOpenError ||
    (isGuardError(error) && error.code === 'ERR_GUARD_CIRCUIT_OPEN')
  );
}

/** Seconds the failure asks the caller to wait (`retryAfterSeconds`, as on guard errors), if any. */
function requestedDelayMs(error: unknown): number {
  if (typeof error !== 'object' || error === null) return 0;
  const { retryAfterSeconds } = error as { retryAfterSeconds?: unknown };
  return typeof retryAfterSeconds === 'number' &&
    Number.isFinite(retryAfterSeconds) &&
    retryAfterSeconds > 0
    ? retryAfterSeconds * 1000
    : 0;
}

/**
 * Waits `ms` (at most 2^31-1, which the options guarantee), or rejects as soon as `signal` aborts;
 * no timer or listener outlives it.
 */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    // Deliberately ref'd, unlike the suite's background timers: this wait is work the caller is
    // awaiting, like `await setTimeout()` from node:timers/promises, and a script whose only pending
    // work is a retry must not exit in the middle of the backoff (docs/retry.md). It cannot outlive
    // the call: it is bounded by maxRetryAfterMs, and an abort clears it.
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Creates a retry policy: exponential backoff with jitter, capped at `maxDelayMs`, honouring a larger
 * `retryAfterSeconds` (seconds) on the error up to `maxRetryAfterMs` (default: `maxDelayMs` too),
 * stopping at once when the caller's signal aborts, and never starting a wait that would end after
 * the caller's `deadline`. It never retries a `CircuitOpenError` (the breaker already said when to
 * come back) and, by default, no 4xx. When it gives up, the last failure is rethrown as it is.
 * @example
 * const policy = createRetry({ retries: 3, baseDelayMs: 200, maxDelayMs: 5000 });
 * const user = await policy.execute(({ signal, attempt }) => api.getUser(id, { signal }));
 */
export function createRetry(options: RetryOptions = {}): RetryPolicy {
  return makeRetry(resolveRetryOptions('createRetry', options));
}

/**
 * Runs `fn` with retries: the one-call shorthand of `createRetry(opts).execute(fn, { signal })`.
 * @example const data = await retry(({ signal }) => fetchData(signal), { retries: 2, signal });
 */
export function retry<TResult>(
  fn: PolicyFn<TResult>,
  options: RetryCallOptions = {},
): Promise<TResult> {
  const { signal, deadline, ...rest } = options;
  return makeRetry(resolveRetryOptions('retry', rest)).execute(fn, { signal, deadline });
}

function makeRetry(resolved: ResolvedRetry): RetryPolicy {
  const { retries, retryIf, onRetry, budget, maxRetryAfterMs } = resolved;
  const count = attemptCounter(createTelemetry(resolved.meterProvider), resolved.name);
  return {
    async execute<TResult>(fn: PolicyFn<TResult>, options?: ExecuteOptions): Promise<TResult> {
      const signal = options?.signal ?? NEVER_ABORTED;
      const deadline = options?.deadline ?? Infinity;
      budget?.recordCall(Date.now());
      for (let attempt = 1; ; attempt++) {
        if (signal.aborted) throw abortError(signal);
        let value: TResult;
        try {
          value = await fn({ signal, attempt });
        } catch (error) {
          if (
            attempt > retries ||
            signal.aborted ||
            isCircuitOpen(error) ||
            !(retryIf ? retryIf(error, attempt) : isRetryable(error))
          ) {
            count('give_up');
            throw error;
          }
          // maxDelayMs caps the backoff, and the failure's own request only as far as
          // maxRetryAfterMs allows (issue 12, item 4): a 429 asking for a day is not waited out.
          const delayMs = Math.min(
            Math.max(backoffDelayMs(attempt, resolved), requestedDelayMs(error)),
            maxRetryAfterMs,
          );
          // A wait that ends after the caller's deadline only delays the same answer: give up now,
          // and before the budget is charged for a retry that will not happen.
          if (Date.now() + delayMs >= deadline) {
            count('give_up');
            throw error;
          }
          if (budget !== undefined && !budget.tryRetry(Date.now())) {
            count('budget_exhausted');
            throw error;
          }
          count('retry');
          onRetry?.({ error, attempt, delayMs });
          await sleep(delayMs, signal);
          continue;
        }
        count('success');
        return value;
      }
    },
  };
}
