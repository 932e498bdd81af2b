import type { RejectionReason } from '../telemetry/rejection';
import type { ErrorCode } from './codes';

/** Brand shared by every copy of guard-core loaded in one process (Symbol.for is global). */
export const GUARD_ERROR_BRAND: unique symbol = Symbol.for('guard-core.GuardError') as never;

/** Options every GuardError subclass passes to the base class. */
export interface GuardErrorOptions {
  /** HTTP status the error handler answers with. */
  status: number;
  /** Stable machine-readable code (`ERR_GUARD_*`). */
  code: ErrorCode;
  /** Whether `message` is safe to show to the client. Default `true`: guard errors carry no internals. */
  expose?: boolean;
  /** Seconds the client should wait before trying again; sent as `Retry-After`. */
  retryAfterSeconds?: number;
  /** Extra response headers (for example `RateLimit`). */
  headers?: Readonly<Record<string, string>>;
  /** RFC 9457 problem type URI. Default `about:blank`. */
  type?: string;
  /** Extra problem+json members the client may see (for example `uploadId`). */
  extensions?: Readonly<Record<string, unknown>>;
  /** Why a policy refused, from a closed list; the client sees it as the problem+json `reason`. */
  reason?: RejectionReason;
  /** The underlying failure; logged, never sent to the client. */
  cause?: unknown;
}

/**
 * Base class of every error the suite raises on the request path. The error handler renders it as
 * RFC 9457 problem+json with its `status`, its `message` as `detail` (when `expose`), and `Retry-After`.
 * @example throw new GuardError('Too many requests', { status: 429, code: 'ERR_GUARD_RATE_LIMITED' });
 */
export class GuardError extends Error {
  readonly [GUARD_ERROR_BRAND] = true;
  readonly status: number;
  readonly code: ErrorCode;
  readonly expose: boolean;
  readonly retryAfterSeconds: number | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly type: string;
  readonly extensions: Readonly<Record<string, unknown>>;
  /** Why a policy refused (`queue_full`, `overloaded`, …); `undefined` for errors that are no refusal. */
  readonly reason: RejectionReason | undefined;

  constructor(message: string, options: GuardErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = options.status;
    this.code = options.code;
    this.expose = options.expose ?? true;
    this.retryAfterSeconds =
      options.retryAfterSeconds === undefined
        ? undefined
        : Math.max(0, Math.ceil(options.retryAfterSeconds));
    this.headers = options.headers ?? {};
    this.type = options.type ?? 'about:blank';
    this.extensions = options.extensions ?? {};
    this.reason = options.reason;
  }
}

/**
 * True for any error raised by guard-core, also by another copy of the package loaded in the same
 * process: every copy brands its errors with the same registered symbol (`Symbol.for`), so the check
 * is `instanceof` or the brand. A value that merely carries an `ERR_GUARD_` code is not ours and is
 * never trusted (issue 12 #3). Never throws, whatever the value (a Proxy whose traps throw is no
 * guard error).
 */
export function isGuardError(value: unknown): value is GuardError {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  try {
    return (
      value instanceof GuardError || (value as Record<symbol, unknown>)[GUARD_ERROR_BRAND] === true
    );
  } catch {
    return false; // a hostile trap is not a guard error
  }
}
