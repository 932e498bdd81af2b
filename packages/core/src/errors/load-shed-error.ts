import { RejectionReasons } from '../telemetry/rejection';
import { ErrorCodes } from './codes';
import { GuardError } from './guard-error';
import type { GuardErrorOptions } from './guard-error';

/** The process is saturated (event loop, heap or RSS over a threshold) and sheds new work. Status 503, code `ERR_GUARD_OVERLOADED`. */
export class LoadShedError extends GuardError {
  constructor(
    message = 'Server is overloaded',
    options: Omit<GuardErrorOptions, 'status' | 'code'> = {},
  ) {
    super(message, {
      reason: RejectionReasons.OVERLOADED,
      ...options,
      status: 503,
      code: ErrorCodes.OVERLOADED,
    });
  }
}
