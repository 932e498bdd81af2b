import { TimeoutError } from '../errors/timeout-error';
import { optionReader } from '../options/option-reader';
import { countTimeout } from '../telemetry/counters';
import { createTelemetry } from '../telemetry/telemetry';
import { abortError } from './abort';
import type { ExecuteOptions, Policy, PolicyFn } from './policy';

/** A policy that bounds each call to a deadline. */
export interface TimeoutPolicy extends Policy {
  /** The deadline of each call, in milliseconds. */
  readonly timeoutMs: number;
}

function resolveTimeoutMs(factory: string, ms: unknown): number {
  return optionReader(factory, { ms }, ['ms']).timerMs('ms', undefined);
}

/**
 * Creates a timeout policy: each call rejects with `TimeoutError` (503, `ERR_GUARD_TIMEOUT`) once `ms`
 * milliseconds have passed, and the `signal` handed to `fn` aborts at that moment so the work can stop.
 * The timer is cleared as soon as the call settles, so nothing is left behind on success.
 * @example
 * const timeout = createTimeout(2000);
 * const body = await timeout.execute(({ signal }) => fetch(url, { signal }));
 */
export function createTimeout(ms: number): TimeoutPolicy {
  const timeoutMs = resolveTimeoutMs('createTimeout', ms);
  // Counted in guard.timeouts (guard.policy=policy) of the global MeterProvider: the factory takes
  // only a number, so there is no meterProvider option.
  const telemetry = createTelemetry();
  const onTimeout = () => countTimeout(telemetry, 'policy');
  return {
    timeoutMs,
    execute<TResult>(fn: PolicyFn<TResult>, options?: ExecuteOptions): Promise<TResult> {
      return runWithDeadline(fn, timeoutMs, options, onTimeout);
    },
  };
}

/**
 * Runs `fn` with a deadline: the one-call shorthand of `createTimeout(ms).execute(fn, options)`.
 * @example const rows = await withTimeout(({ signal }) => db.query(sql, { signal }), 500);
 */
export function withTimeout<TResult>(
  fn: PolicyFn<TResult>,
  ms: number,
  options?: ExecuteOptions,
): Promise<TResult> {
  const telemetry = createTelemetry();
  return runWithDeadline(fn, resolveTimeoutMs('withTimeout', ms), options, () =>
    countTimeout(telemetry, 'policy'),
  );
}

/**
 * The shared implementation (also used by the circuit breaker's per-call `timeoutMs`). `onTimeout`
 * runs when the deadline wins, before the rejection is delivered.
 */
export function runWithDeadline<TResult>(
  fn: PolicyFn<TResult>,
  timeoutMs: number,
  options: ExecuteOptions | undefined,
  onTimeout?: () => void,
): Promise<TResult> {
  const outer = options?.signal;
  if (outer?.aborted) return Promise.reject(abortError(outer));
  const controller = new AbortController();
  return new Promise<TResult>((resolve, reject) => {
    let settled = false;
    const finish = () => {
      settled = true;
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    };
    const onOuterAbort = () => {
      if (settled) return;
      finish();
      const error = abortError(outer as AbortSignal);
      controller.abort(error);
      reject(error);
    };
    const timer = setTimeout(() => {
      if (settled) return;
      finish();
      const error = new TimeoutError(undefined, {
        source: 'policy',
        cause: new Error(`deadline of ${timeoutMs} ms passed`),
      });
      controller.abort(error);
      onTimeout?.();
      reject(error);
    }, timeoutMs);
    // A pending deadline must never keep the process alive on its own.
    timer.unref();
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    let result: TResult | PromiseLike<TResult>;
    try {
      result = fn({ signal: controller.signal, attempt: options?.attempt ?? 1 });
    } catch (error) {
      finish();
      // What fn threw is passed on unchanged, as a rejection, whatever it is.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      reject(error);
      return;
    }
    Promise.resolve(result).then(
      (value) => {
        if (settled) return;
        finish();
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        finish();
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        reject(error);
      },
    );
  });
}
