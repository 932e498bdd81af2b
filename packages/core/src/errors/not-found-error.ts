import { ErrorCodes } from './codes';
import { GuardError } from './guard-error';
import type { GuardErrorOptions } from './guard-error';

/** No route or stored file matches the request. Status 404, code `ERR_GUARD_NOT_FOUND`. */
export class NotFoundError extends GuardError {
  constructor(
    message = 'Requested resource not found',
    options: Omit<GuardErrorOptions, 'status' | 'code'> = {},
  ) {
    super(message, { ...options, status: 404, code: ErrorCodes.NOT_FOUND });
  }
}
