import { GuardConfigError } from '../errors/guard-config-error';
import type { CircuitOpenError } from '../errors/circuit-open-error';
import type { TimeoutError } from '../errors/timeout-error';

/** What each circuit breaker event carries. */
export interface CircuitBreakerEventMap {
  /** The breaker opened: `reason` says why; `retryAfterSeconds` is how long it stays open (rounded up). */
  open: {
    reason: 'consecutive-failures' | 'failure-rate' | 'trial-failed' | 'shared';
    retryAfterSeconds: number;
  };
  /** The breaker closed (a trial call succeeded, or another instance closed the shared state). */
  close: { reason: 'trial-succeeded' | 'shared' };
  /** The reset timeout passed: the next calls are trials. */
  halfOpen: Record<string, never>;
  /** A call succeeded (or failed in a way `isFailure` does not count). */
  success: Record<string, never>;
  /** A call failed and the failure counted. */
  failure: { error: unknown };
  /** A call was refused because the breaker is open. */
  reject: { error: CircuitOpenError };
  /** A call ran past the breaker's `timeoutMs`. */
  timeout: { error: TimeoutError };
}

/** A circuit breaker event name. */
export type CircuitBreakerEvent = keyof CircuitBreakerEventMap;

const EVENTS: readonly CircuitBreakerEvent[] = [
  'open',
  'close',
  'halfOpen',
  'success',
  'failure',
  'reject',
  'timeout',
];

type Listener = (payload: never) => void;

/**
 * A minimal typed emitter. The breaker asks `has(event)` before building a payload, so a breaker
 * nobody listens to pays nothing per call. A throwing listener cannot break the call it observes.
 */
export class BreakerEvents {
  private readonly listeners = new Map<CircuitBreakerEvent, Listener[]>();

  on<TEvent extends CircuitBreakerEvent>(
    event: TEvent,
    listener: (payload: CircuitBreakerEventMap[TEvent]) => void,
  ): () => void {
    if (!EVENTS.includes(event))
      throw new GuardConfigError(
        `createCircuitBreaker: unknown event ${JSON.stringify(event)}; known events: ${EVENTS.join(', ')}`,
        'event',
      );
    if (typeof listener !== 'function')
      throw new GuardConfigError(
        `createCircuitBreaker: the listener of "${event}" must be a function`,
        'listener',
      );
    const list = [...(this.listeners.get(event) ?? []), listener as Listener];
    this.listeners.set(event, list);
    return () => {
      const current = this.listeners.get(event) ?? [];
      const next = current.filter((l) => l !== (listener as Listener));
      if (next.length === 0) this.listeners.delete(event);
      else this.listeners.set(event, next);
    };
  }

  has(event: CircuitBreakerEvent): boolean {
    // The size check spares a Map lookup per call for the common breaker nobody listens to.
    return this.listeners.size !== 0 && this.listeners.has(event);
  }

  emit<TEvent extends CircuitBreakerEvent>(
    event: TEvent,
    payload: CircuitBreakerEventMap[TEvent],
  ): void {
    const list = this.listeners.get(event);
    if (list === undefined) return;
    // The list is replaced, never mutated, on (un)subscribe, so iterating it here is safe.
    for (const listener of list) {
      try {
        (listener as (p: CircuitBreakerEventMap[TEvent]) => void)(payload);
      } catch {
        // An observer's bug must not change the outcome of the call it observes.
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
