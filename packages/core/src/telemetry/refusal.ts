import type { GuardError } from '../errors/guard-error';
import { safeGet } from '../logging/safe-get';
import { DEFAULT_CRITICALITY } from '../overload/criticality';
import type { Criticality } from '../overload/criticality';
import { rejectChannel } from './channels';
import { keyHash } from './key-hash';
import type { MetricAttributes } from './meter-provider';
import type { RejectionPolicy, RejectionReason, RejectionRecord } from './rejection';
import type { Telemetry } from './telemetry';

/** What a refusal site knows about one refusal, beyond what its error carries. */
export interface RefusalFacts {
  /** The limit in force (requests per window, concurrency limit, bytes). */
  limit?: number | undefined;
  /** What is left of the limit. */
  remaining?: number | undefined;
  /** The measured value that tripped the policy. */
  observed?: number | undefined;
  /** What it was compared with, in the same unit. */
  threshold?: number | undefined;
  /** Time spent queued, in milliseconds. */
  queueWaitMs?: number | undefined;
  /** The request's class (from `req.guard` / `ctx.state.guard`). */
  criticality?: Criticality | undefined;
  /** The matched route pattern, never the raw URL. */
  route?: string | undefined;
  requestId?: string | undefined;
  /** The client key: only its keyed hash reaches the record, and only for event subscribers. */
  key?: string | undefined;
}

/** One place where a policy refuses: `refuse()` describes each refusal there once. */
export interface RefusalSite {
  readonly policy: RejectionPolicy;
  readonly name: string;
  /**
   * Builds the rejection record of `error` (which must carry a `reason`), counts it in
   * `guard.requests` (inbound sites), publishes it on `guard:reject`, remembers it for the error
   * path (`rejectionOf`) and returns `error`, so a site writes `throw site.refuse(error, facts)`.
   * An error that is no refusal (no `reason`), or was already described, is returned untouched.
   */
  refuse<TError extends GuardError>(error: TError, facts?: RefusalFacts): TError;
  /**
   * Counts and publishes one refusal answered with a shared, prebuilt error (a shed request refused
   * before the framework dispatched it), as `refuse()` would, but without remembering a record on
   * the error: every refusal of that error is a refusal of its own. The record is built only for
   * `guard:reject` subscribers.
   */
  count(error: GuardError, facts?: RefusalFacts): void;
}

const records = new WeakMap<object, RejectionRecord>();

/**
 * The rejection record a refusal error was described with, looked up on the error or its `cause`
 * (an upload error wraps the refusal it reports). The error path logs this very record.
 */
export function rejectionOf(error: unknown): RejectionRecord | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const own = records.get(error);
  if (own !== undefined) return own;
  // Any thrown value reaches the error path, a hostile Proxy too: its `cause` may throw.
  const cause = safeGet(error, 'cause');
  return typeof cause === 'object' && cause !== null ? records.get(cause) : undefined;
}

/**
 * Creates the refusal site of a policy. `countsRequests` is true where requests are refused (the
 * `guard()` sections, uploads) and false for outbound calls (breaker, bulkhead, pool), which are
 * published on `guard:reject` but are no requests.
 */
export function createRefusalSite(
  telemetry: Telemetry,
  policy: RejectionPolicy,
  name: string,
  countsRequests = true,
): RefusalSite {
  // guard.requests attributes by reason and class: built once, then looked up per refusal.
  const attributes = new Map<string, MetricAttributes>();
  const attributesOf = (reason: string, criticality: Criticality): MetricAttributes => {
    const cacheKey = `${reason}\u0000${criticality}`;
    let found = attributes.get(cacheKey);
    if (found === undefined) {
      found = Object.freeze({
        'guard.result': 'rejected',
        'guard.policy': policy,
        'guard.reason': reason,
        'guard.name': name,
        'guard.criticality': criticality,
      });
      attributes.set(cacheKey, found);
    }
    return found;
  };

  function recordOf(
    error: GuardError,
    reason: RejectionReason,
    facts: RefusalFacts | undefined,
  ): RejectionRecord {
    const record: RejectionRecord = { policy, name, reason, status: error.status };
    if (error.retryAfterSeconds !== undefined) record.retryAfterSeconds = error.retryAfterSeconds;
    const criticality = facts?.criticality ?? (countsRequests ? DEFAULT_CRITICALITY : undefined);
    if (facts !== undefined) {
      if (facts.limit !== undefined) record.limit = facts.limit;
      if (facts.remaining !== undefined) record.remaining = facts.remaining;
      if (facts.observed !== undefined) record.observed = facts.observed;
      if (facts.threshold !== undefined) record.threshold = facts.threshold;
      if (facts.queueWaitMs !== undefined) record.queueWaitMs = facts.queueWaitMs;
    }
    if (criticality !== undefined) record.criticality = criticality;
    if (facts?.route !== undefined) record.route = facts.route;
    if (facts?.requestId !== undefined) record.requestId = facts.requestId;
    // The HMAC costs about a microsecond: only worth it for someone who reads the event.
    if (facts?.key !== undefined && rejectChannel.hasSubscribers)
      record.keyHash = keyHash(facts.key);
    return Object.freeze(record);
  }

  function countRequest(reason: RejectionReason, facts: RefusalFacts | undefined): void {
    if (countsRequests && telemetry.enabled)
      telemetry.instruments.requests.add(
        1,
        attributesOf(reason, facts?.criticality ?? DEFAULT_CRITICALITY),
      );
  }

  return {
    policy,
    name,
    refuse(error, facts) {
      const { reason } = error;
      if (reason === undefined || rejectionOf(error) !== undefined) return error;
      const record = recordOf(error, reason, facts);
      records.set(error, record);
      countRequest(reason, facts);
      if (rejectChannel.hasSubscribers) rejectChannel.publish(record);
      return error;
    },
    count(error, facts) {
      const { reason } = error;
      if (reason === undefined) return;
      countRequest(reason, facts);
      if (rejectChannel.hasSubscribers) rejectChannel.publish(recordOf(error, reason, facts));
    },
  };
}

/**
 * Counts requests a guard middleware let through in `guard.requests` (`guard.result=allowed`), with
 * attributes built once per class.
 */
export function createAllowedCounter(
  telemetry: Telemetry,
  name: string,
): (criticality: Criticality | undefined) => void {
  const byClass = new Map<Criticality, MetricAttributes>();
  return (criticality = DEFAULT_CRITICALITY) => {
    if (!telemetry.enabled) return;
    let attributes = byClass.get(criticality);
    if (attributes === undefined) {
      attributes = Object.freeze({
        'guard.result': 'allowed',
        'guard.name': name,
        'guard.criticality': criticality,
      });
      byClass.set(criticality, attributes);
    }
    telemetry.instruments.requests.add(1, attributes);
  };
}
