import diagnosticsChannel from 'node:diagnostics_channel';

/** The `node:diagnostics_channel` names the suite publishes on. */
export const ChannelNames = Object.freeze({
  /** Every refusal: the `RejectionRecord`. */
  REJECT: 'guard:reject',
  /** A circuit breaker changed state: `{ name, from, to }`. */
  CIRCUIT_BREAKER_STATE: 'guard:circuit-breaker:state',
  /** A concurrency limit changed (adaptive): `{ name, limit, previous }`. */
  CONCURRENCY_LIMIT: 'guard:concurrency:limit',
  /** Load shedding started or stopped: `{ pressure, shedding }`. */
  LOAD_SHEDDING: 'guard:load-shedding',
} as const);

/** The message of `guard:circuit-breaker:state`. */
export interface CircuitBreakerStateMessage {
  /** The breaker's `name`. */
  readonly name: string;
  /** The state it left. */
  readonly from: 'closed' | 'open' | 'halfOpen';
  /** The state it is in now. */
  readonly to: 'closed' | 'open' | 'halfOpen';
}

/** The message of `guard:concurrency:limit`. */
export interface ConcurrencyLimitMessage {
  /** The limiter's `name` (`'default'` unless given). */
  readonly name: string;
  /** The limit now. */
  readonly limit: number;
  /** The limit before this change. */
  readonly previous: number;
}

/** The message of `guard:load-shedding`. */
export interface LoadSheddingMessage {
  /**
   * The shedder's pressure (`LoadFigures.pressure`): the highest of the event-loop delay over its
   * target, heap and RSS over their limits (1 = the delay an overloaded process is held at).
   */
  readonly pressure: number;
  /** Whether requests are being shed (for a graded shedder: whether any class is). */
  readonly shedding: boolean;
}

// Channel objects are looked up once; `hasSubscribers` is then one property read per publication.
export const rejectChannel = diagnosticsChannel.channel(ChannelNames.REJECT);
export const breakerStateChannel = diagnosticsChannel.channel(ChannelNames.CIRCUIT_BREAKER_STATE);
export const concurrencyLimitChannel = diagnosticsChannel.channel(ChannelNames.CONCURRENCY_LIMIT);
export const loadSheddingChannel = diagnosticsChannel.channel(ChannelNames.LOAD_SHEDDING);

/**
 * Publishes a concurrency-limit change (the adaptive limiter calls this whenever its limit moves).
 * Builds nothing when nobody subscribed.
 */
export function publishLimitChange(name: string, limit: number, previous: number): void {
  if (limit === previous || !concurrencyLimitChannel.hasSubscribers) return;
  const message: ConcurrencyLimitMessage = { name, limit, previous };
  concurrencyLimitChannel.publish(message);
}
