import { ErrorCodes } from './codes';
import { GuardError } from './guard-error';
import type { GuardErrorOptions } from './guard-error';

/** The caller aborted the operation (its AbortSignal fired); 499 follows the nginx convention and is never sent to a gone client. Status 499, code `ERR_GUARD_ABORTED`. */
export class AbortedError extends GuardError {
  constructor(
    message = 'Request aborted',
    options: Omit<GuardErrorOptions, 'status' | 'code'> = {},
  ) {
    super(message, { ...options, status: 499, code: ErrorCodes.ABORTED });
  }
}
