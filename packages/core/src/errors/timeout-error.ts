import { RejectionReasons } from '../telemetry/rejection';
import { ErrorCodes } from './codes';
import { GuardError } from './guard-error';
import type { GuardErrorOptions } from './guard-error';

/** An operation ran past its deadline. Status 503, code `ERR_GUARD_TIMEOUT`. */
export class TimeoutError extends GuardError {
  constructor(
    message = 'Operation timed out',
    options: Omit<GuardErrorOptions, 'status' | 'code'> = {},
  ) {
    super(message, {
      reason: RejectionReasons.DEADLINE_EXCEEDED,
      ...options,
      status: 503,
      code: ErrorCodes.TIMEOUT,
    });
  }
}
