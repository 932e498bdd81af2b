import { RejectionReasons } from '../telemetry/rejection';
import { ErrorCodes } from './codes';
import { GuardError } from './guard-error';
import type { GuardErrorOptions } from './guard-error';

/** The request URL is longer than `maxUrlLength`. Status 414, code `ERR_GUARD_URI_TOO_LONG`. */
export class UriTooLongError extends GuardError {
  constructor(message = 'URI too long', options: Omit<GuardErrorOptions, 'status' | 'code'> = {}) {
    super(message, {
      reason: RejectionReasons.URI_TOO_LONG,
      ...options,
      status: 414,
      code: ErrorCodes.URI_TOO_LONG,
    });
  }
}
