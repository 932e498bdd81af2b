import { RejectionReasons } from '../telemetry/rejection';
import { ErrorCodes } from './codes';
import { GuardError } from './guard-error';
import type { GuardErrorOptions } from './guard-error';

/** A body, file or field is over its size or count limit. Status 413, code `ERR_GUARD_PAYLOAD_TOO_LARGE`. */
export class PayloadTooLargeError extends GuardError {
  constructor(
    message = 'Payload too large',
    options: Omit<GuardErrorOptions, 'status' | 'code'> = {},
  ) {
    super(message, {
      reason: RejectionReasons.PAYLOAD_TOO_LARGE,
      ...options,
      status: 413,
      code: ErrorCodes.PAYLOAD_TOO_LARGE,
    });
  }
}
