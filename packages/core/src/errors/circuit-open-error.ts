import { RejectionReasons } from '../telemetry/rejection';
import { ErrorCodes } from './codes';
import { GuardError } from './guard-error';
import type { GuardErrorOptions } from './guard-error';

/** A circuit breaker is open; `retryAfterSeconds` is the seconds left until it lets a trial call through. Status 503, code `ERR_GUARD_CIRCUIT_OPEN`. */
export class CircuitOpenError extends GuardError {
  constructor(
    message = 'Service temporarily unavailable',
    options: Omit<GuardErrorOptions, 'status' | 'code'> = {},
  ) {
    super(message, {
      reason: RejectionReasons.CIRCUIT_OPEN,
      ...options,
      status: 503,
      code: ErrorCodes.CIRCUIT_OPEN,
    });
  }
}
