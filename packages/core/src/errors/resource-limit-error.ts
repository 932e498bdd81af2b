import { RejectionReasons } from '../telemetry/rejection';
import { ErrorCodes } from './codes';
import { GuardError } from './guard-error';
import type { GuardErrorOptions } from './guard-error';

/** Isolated work went over its memory limit, or its worker crashed. Status 503, code `ERR_GUARD_RESOURCE_LIMIT`. */
export class ResourceLimitError extends GuardError {
  constructor(
    message = 'Insufficient resources',
    options: Omit<GuardErrorOptions, 'status' | 'code'> = {},
  ) {
    super(message, {
      reason: RejectionReasons.RESOURCE_LIMIT,
      ...options,
      status: 503,
      code: ErrorCodes.RESOURCE_LIMIT,
    });
  }
}
