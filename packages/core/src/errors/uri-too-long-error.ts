import { ErrorCodes } from './codes';
import { GuardError } from './guard-error';
import type { GuardErrorOptions } from './guard-error';

/** The request URL is longer than `maxUrlLength`. Status 414, code `ERR_GUARD_URI_TOO_LONG`. */
export class UriTooLongError extends GuardError {
  constructor(message = 'URI too long', options: Omit<GuardErrorOptions, 'status' | 'code'> = {}) {
    super(message, { ...options, status: 414, code: ErrorCodes.URI_TOO_LONG });
  }
}
