import type { Criticality } from '../overload/criticality';

/**
 * The policy that refused a request. The same words are the `guard.policy` metric attribute, the
 * `policy` of a `guard:reject` event and of the aggregated refusal log line.
 */
export type RejectionPolicy =
  | 'load_shedding'
  | 'rate_limit'
  | 'input_limits'
  | 'concurrency'
  | 'timeout'
  | 'brute_force'
  | 'upload'
  | 'circuit_breaker'
  | 'isolated_pool';

/**
 * Why a request or call was refused: a closed list, sent to the client as the problem+json
 * `reason` member and used as the `guard.reason` metric attribute.
 */
export const RejectionReasons = Object.freeze({
  /** Over a rate limit or a brute-force limit. */
  LIMIT_EXCEEDED: 'limit_exceeded',
  /** Every slot taken and the queue full (or no queue). */
  QUEUE_FULL: 'queue_full',
  /** Waited in the queue past its time. */
  QUEUE_TIMEOUT: 'queue_timeout',
  /** Pushed out of a full queue by a request of a higher class. */
  DISPLACED: 'displaced',
  /** The process sheds load (event-loop delay, heap or RSS over its target). */
  OVERLOADED: 'overloaded',
  /** A circuit breaker is open. */
  CIRCUIT_OPEN: 'circuit_open',
  /** The request, policy or pool deadline passed. */
  DEADLINE_EXCEEDED: 'deadline_exceeded',
  /** A body, file, field or count over its limit. */
  PAYLOAD_TOO_LARGE: 'payload_too_large',
  /** The URL is longer than allowed. */
  URI_TOO_LONG: 'uri_too_long',
  /** Malformed, too deep, or failing validation. */
  INVALID_INPUT: 'invalid_input',
  /** A media type or file content that is not allowed. */
  UNSUPPORTED_MEDIA_TYPE: 'unsupported_media_type',
  /** Too little disk space left for an upload. */
  INSUFFICIENT_STORAGE: 'insufficient_storage',
  /** An isolated task went over its memory limit or its worker died. */
  RESOURCE_LIMIT: 'resource_limit',
  /** The policy was closed (the app is shutting down). */
  CLOSED: 'closed',
} as const);

/** One of `RejectionReasons`. */
export type RejectionReason = (typeof RejectionReasons)[keyof typeof RejectionReasons];

const REASONS: ReadonlySet<unknown> = new Set(Object.values(RejectionReasons));

/** True for a word of the closed `RejectionReasons` list (a thrown value's own `reason` may be anything). */
export function isRejectionReason(value: unknown): value is RejectionReason {
  return REASONS.has(value);
}

/**
 * One object describing a refusal: the same in the aggregated log line, the `guard:reject`
 * diagnostics-channel message and the metric attributes. Figures the client must not see
 * (`limit`, `observed`, `threshold`, `keyHash`) stay in logs and events; the client gets `reason`.
 */
export interface RejectionRecord {
  /** The policy that refused. */
  policy: RejectionPolicy;
  /** The policy's `name` option (`'default'` when it has none). */
  name: string;
  reason: RejectionReason;
  /** The HTTP status the client got (or would get). */
  status: number;
  retryAfterSeconds?: number;
  /** The limit in force (requests per window, concurrency limit, bytes). */
  limit?: number;
  /** What is left of the limit (rate limit). */
  remaining?: number;
  /** The measured value that tripped the policy (event-loop delay in ms, body bytes, …). */
  observed?: number;
  /** The threshold it was compared with, in the same unit as `observed`. */
  threshold?: number;
  criticality?: Criticality;
  /** Time spent queued before the refusal, in milliseconds. */
  queueWaitMs?: number;
  /** The matched route pattern, never the raw URL. */
  route?: string;
  requestId?: string;
  /** A keyed hash (HMAC with a per-process secret) of the client key: never the key itself. */
  keyHash?: string;
}
