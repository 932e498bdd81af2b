import { RejectionReasons } from '../telemetry/rejection';
import { ErrorCodes } from './codes';
import { GuardError } from './guard-error';
import type { GuardErrorOptions } from './guard-error';

/** Options of `PayloadTooLargeError`: the base options and which limit was hit. */
export interface PayloadTooLargeErrorOptions extends Omit<GuardErrorOptions, 'status' | 'code'> {
  /** The limit that was hit, as its option is called: `inputLimits.maxBodyBytes`, `upload.maxFiles`, … */
  limitName?: string;
  /** Its value: bytes for a size (`…Bytes`), a count otherwise. */
  limit?: number;
}

/**
 * A body, file or field is over its size or count limit. Status 413, code
 * `ERR_GUARD_PAYLOAD_TOO_LARGE`; `limitName` and `limit` say which limit (logged, never sent: the
 * message names a size limit's bytes itself).
 */
export class PayloadTooLargeError extends GuardError {
  /** The limit that was hit, as its option is called (`inputLimits.maxBodyBytes`, …). */
  readonly limitName: string | undefined;
  /** The limit's value: bytes for a size, a count otherwise. */
  readonly limit: number | undefined;

  constructor(message = 'Payload too large', options: PayloadTooLargeErrorOptions = {}) {
    const { limitName, limit, ...rest } = options;
    super(message, {
      reason: RejectionReasons.PAYLOAD_TOO_LARGE,
      ...rest,
      status: 413,
      code: ErrorCodes.PAYLOAD_TOO_LARGE,
    });
    this.limitName = limitName;
    this.limit = limit;
  }
}
