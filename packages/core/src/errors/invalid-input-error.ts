import { RejectionReasons } from '../telemetry/rejection';
import { ErrorCodes } from './codes';
import { GuardError } from './guard-error';
import type { GuardErrorOptions } from './guard-error';

/** The input is malformed, too deep, too wide, poisoned or fails its schema. Status 400, code `ERR_GUARD_INVALID_INPUT`. */
export class InvalidInputError extends GuardError {
  constructor(
    message = 'Invalid input provided',
    options: Omit<GuardErrorOptions, 'status' | 'code'> = {},
  ) {
    super(message, {
      reason: RejectionReasons.INVALID_INPUT,
      ...options,
      status: 400,
      code: ErrorCodes.INVALID_INPUT,
    });
  }
}
