/**
 * What every work policy passes to the function it runs (cockatiel's convention): `signal` aborts when
 * the policy gives up on the call (timeout, caller's abort); `attempt` counts from 1 under `retry` and
 * is 1 elsewhere.
 */
export interface PolicyContext {
  readonly signal: AbortSignal;
  readonly attempt: number;
}

/** The per-call options of `execute`. */
export interface ExecuteOptions {
  /** Aborts the call from outside (a client that went away, an outer policy that gave up). */
  signal?: AbortSignal | undefined;
  /**
   * When the caller stops waiting, in epoch milliseconds (`req.guard.deadline`). A retry does not
   * start a wait that would end after it; `wrap` hands it to every layer. Default: none.
   */
  deadline?: number | undefined;
  /**
   * The attempt number to hand on to `fn`. Set by `wrap` so that a retry's attempt reaches the
   * innermost function through policies that do not count attempts themselves. Default `1`.
   */
  attempt?: number | undefined;
}

/** A function a policy runs. */
export type PolicyFn<TResult> = (context: PolicyContext) => TResult | PromiseLike<TResult>;

/** A work policy: runs `fn` under its rule and rejects with a `GuardError` subclass when the rule says no. */
export interface Policy {
  execute<TResult>(this: void, fn: PolicyFn<TResult>, options?: ExecuteOptions): Promise<TResult>;
}

// One signal that never aborts, shared by every call made without one: allocating an
// AbortController per call would cost more than the whole breaker (issue 4, performance rule).
const neverController = new AbortController();

/** An AbortSignal that never aborts; the default `signal` of a context. */
export const NEVER_ABORTED: AbortSignal = neverController.signal;

/** The context of a call made without options: shared, frozen, allocation-free. */
export const DEFAULT_CONTEXT: PolicyContext = Object.freeze({
  signal: NEVER_ABORTED,
  attempt: 1,
});

/** The context for `options`, reusing the shared default when nothing was passed. */
export function contextOf(options: ExecuteOptions | undefined): PolicyContext {
  if (options === undefined || (options.signal === undefined && options.attempt === undefined))
    return DEFAULT_CONTEXT;
  return { signal: options.signal ?? NEVER_ABORTED, attempt: options.attempt ?? 1 };
}
