import { RejectionReasons } from '../telemetry/rejection';
import { ErrorCodes } from './codes';
import { GuardError } from './guard-error';
import type { GuardErrorOptions } from './guard-error';

/** Every concurrency slot is taken and the queue is full, or the queue wait ran out. Status 503, code `ERR_GUARD_BUSY`. */
export class ConcurrencyLimitError extends GuardError {
  constructor(
    message = 'Server is busy',
    options: Omit<GuardErrorOptions, 'status' | 'code'> = {},
  ) {
    super(message, {
      reason: RejectionReasons.QUEUE_FULL,
      ...options,
      status: 503,
      code: ErrorCodes.BUSY,
    });
  }
}
