import { RejectionReasons } from '../telemetry/rejection';
import { ErrorCodes } from './codes';
import { GuardError } from './guard-error';
import type { GuardErrorOptions } from './guard-error';

/** Free disk space is below `minFreeDiskBytes`. Status 507, code `ERR_GUARD_INSUFFICIENT_STORAGE`. */
export class InsufficientStorageError extends GuardError {
  constructor(
    message = 'Insufficient storage',
    options: Omit<GuardErrorOptions, 'status' | 'code'> = {},
  ) {
    super(message, {
      reason: RejectionReasons.INSUFFICIENT_STORAGE,
      ...options,
      status: 507,
      code: ErrorCodes.INSUFFICIENT_STORAGE,
    });
  }
}
