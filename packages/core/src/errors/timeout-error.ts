import { RejectionReasons } from '../telemetry/rejection';
import { ErrorCodes } from './codes';
import { GuardError } from './guard-error';
import type { GuardErrorOptions } from './guard-error';

/**
 * Which deadline passed: the request timeout (`guard({ timeout })`, `timeout()`), a policy's
 * (`createTimeout`, `withTimeout`, a breaker's `timeoutMs`, an `AbortSignal.timeout()` handed to a
 * policy), an isolated pool task's, or the system's (a Node `ETIMEDOUT`, which is no TimeoutError but
 * is classified with the same code). The same word is logged with the error.
 */
export type TimeoutSource = 'request' | 'policy' | 'pool' | 'system';

/** Options of `TimeoutError`: the base options and the deadline's `source`. */
export interface TimeoutErrorOptions extends Omit<GuardErrorOptions, 'status' | 'code'> {
  /** Which deadline passed. Default `'policy'`. */
  source?: TimeoutSource;
}

/** An operation ran past its deadline. Status 503, code `ERR_GUARD_TIMEOUT`; `source` says which deadline. */
export class TimeoutError extends GuardError {
  /** Which deadline passed (`'request'`, `'policy'`, `'pool'` or `'system'`); never sent to the client. */
  readonly source: TimeoutSource;

  constructor(message = 'Operation timed out', options: TimeoutErrorOptions = {}) {
    const { source = 'policy', ...rest } = options;
    super(message, {
      reason: RejectionReasons.DEADLINE_EXCEEDED,
      ...rest,
      status: 503,
      code: ErrorCodes.TIMEOUT,
    });
    this.source = source;
  }
}
