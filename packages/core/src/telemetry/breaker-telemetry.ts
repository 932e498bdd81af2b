import type { CircuitBreaker, CircuitState } from '../policies/circuit-breaker';
import { breakerStateChannel } from './channels';
import type { CircuitBreakerStateMessage } from './channels';
import type { MetricAttributes } from './meter-provider';
import type { Telemetry } from './telemetry';

/** `guard.circuit_breaker.state` values: 0 closed, 1 half-open, 2 open. */
const STATE_VALUES: Readonly<Record<CircuitState, number>> = Object.freeze({
  closed: 0,
  halfOpen: 1,
  open: 2,
});

/** The words of `guard.state`: OpenTelemetry attribute values are snake_case. */
const STATE_WORDS: Readonly<Record<CircuitState, string>> = Object.freeze({
  closed: 'closed',
  halfOpen: 'half_open',
  open: 'open',
});

/** What a breaker reports its transitions through: the counter, the event, and its state gauge. */
export interface BreakerTelemetry {
  /** Counts a state change in `guard.circuit_breaker.transitions` and publishes it on `guard:circuit-breaker:state`. */
  transition(from: CircuitState, to: CircuitState): void;
  /** Registers the state gauge for `breaker` (read through its `state`, so a due reset shows as half-open). */
  observe(breaker: CircuitBreaker): void;
}

/** The telemetry of the breaker named `name`. */
export function createBreakerTelemetry(telemetry: Telemetry, name: string): BreakerTelemetry {
  const nameAttributes = Object.freeze({ 'guard.name': name });
  const attributes = (state: CircuitState): MetricAttributes =>
    Object.freeze({ 'guard.name': name, 'guard.state': STATE_WORDS[state] });
  const byState: Readonly<Record<CircuitState, MetricAttributes>> = {
    closed: attributes('closed'),
    halfOpen: attributes('halfOpen'),
    open: attributes('open'),
  };
  return {
    transition(from, to) {
      if (telemetry.enabled) telemetry.instruments.breakerTransitions.add(1, byState[to]);
      if (breakerStateChannel.hasSubscribers) {
        const message: CircuitBreakerStateMessage = { name, from, to };
        breakerStateChannel.publish(message);
      }
    },
    observe(breaker) {
      telemetry.observe('breakerState', breaker, (b) => STATE_VALUES[b.state], nameAttributes);
    },
  };
}
