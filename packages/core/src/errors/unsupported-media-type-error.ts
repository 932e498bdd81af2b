import { RejectionReasons } from '../telemetry/rejection';
import { ErrorCodes } from './codes';
import { GuardError } from './guard-error';
import type { GuardErrorOptions } from './guard-error';

/** The content type, file extension or file content is not accepted. Status 415, code `ERR_GUARD_UNSUPPORTED_MEDIA_TYPE`. */
export class UnsupportedMediaTypeError extends GuardError {
  constructor(
    message = 'Unsupported media type',
    options: Omit<GuardErrorOptions, 'status' | 'code'> = {},
  ) {
    super(message, {
      reason: RejectionReasons.UNSUPPORTED_MEDIA_TYPE,
      ...options,
      status: 415,
      code: ErrorCodes.UNSUPPORTED_MEDIA_TYPE,
    });
  }
}
