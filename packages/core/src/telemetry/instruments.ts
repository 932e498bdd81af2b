import type {
  GuardMeter,
  MetricCounter,
  MetricHistogram,
  MetricObservableGauge,
} from './meter-provider';

/**
 * Every instrument the suite records into, created once per meter. Names follow OpenTelemetry's
 * semantic-convention style: dot-separated, base units (seconds, bytes), `guard.` namespace.
 */
export interface GuardInstruments {
  /** `guard.requests`: one decision per guard middleware a request meets. */
  readonly requests: MetricCounter;
  readonly concurrencyLimit: MetricObservableGauge;
  readonly concurrencyActive: MetricObservableGauge;
  readonly concurrencyQueued: MetricObservableGauge;
  readonly queueDuration: MetricHistogram;
  readonly sheddingPressure: MetricObservableGauge;
  readonly eventLoopDelay: MetricObservableGauge;
  readonly breakerState: MetricObservableGauge;
  readonly breakerTransitions: MetricCounter;
  readonly retryAttempts: MetricCounter;
  readonly timeouts: MetricCounter;
  readonly storeDuration: MetricHistogram;
  readonly uploads: MetricCounter;
  readonly uploadSize: MetricHistogram;
  readonly errors: MetricCounter;
}

/** The observable gauges, by their key in `GuardInstruments`. */
export type GaugeName =
  | 'concurrencyLimit'
  | 'concurrencyActive'
  | 'concurrencyQueued'
  | 'sheddingPressure'
  | 'eventLoopDelay'
  | 'breakerState';

/** The instrument names, as a Prometheus exporter shows them with dots turned to underscores. */
export const MetricNames = Object.freeze({
  REQUESTS: 'guard.requests',
  CONCURRENCY_LIMIT: 'guard.concurrency.limit',
  CONCURRENCY_ACTIVE: 'guard.concurrency.active',
  CONCURRENCY_QUEUED: 'guard.concurrency.queued',
  QUEUE_DURATION: 'guard.concurrency.queue.duration',
  SHEDDING_PRESSURE: 'guard.load_shedding.pressure',
  EVENT_LOOP_DELAY: 'guard.load_shedding.event_loop.delay',
  BREAKER_STATE: 'guard.circuit_breaker.state',
  BREAKER_TRANSITIONS: 'guard.circuit_breaker.transitions',
  RETRY_ATTEMPTS: 'guard.retry.attempts',
  TIMEOUTS: 'guard.timeouts',
  STORE_DURATION: 'guard.rate_limit.store.duration',
  UPLOADS: 'guard.uploads',
  UPLOAD_SIZE: 'guard.upload.size',
  ERRORS: 'guard.errors',
} as const);

// Bucket advice in the instruments' own units. Queue waits are bounded by queueTimeoutMs (1 s by
// default); a memory store answers in microseconds and Redis in about a millisecond.
const QUEUE_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const STORE_BUCKETS_S = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
  0.25,
];
const SIZE_BUCKETS_BY = [
  1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216, 67_108_864, 268_435_456,
];

/** Creates the instruments on `meter`. */
export function createInstruments(meter: GuardMeter): GuardInstruments {
  const counter = (name: string, unit: string, description: string) =>
    meter.createCounter(name, { unit, description });
  const gauge = (name: string, unit: string, description: string) =>
    meter.createObservableGauge(name, { unit, description });
  const histogram = (name: string, unit: string, description: string, buckets: number[]) =>
    meter.createHistogram(name, {
      unit,
      description,
      advice: { explicitBucketBoundaries: buckets },
    });
  return Object.freeze({
    requests: counter(
      MetricNames.REQUESTS,
      '{request}',
      'Requests a guard middleware allowed or rejected',
    ),
    concurrencyLimit: gauge(
      MetricNames.CONCURRENCY_LIMIT,
      '{request}',
      'The concurrency limit in force (adaptive or fixed)',
    ),
    concurrencyActive: gauge(
      MetricNames.CONCURRENCY_ACTIVE,
      '{request}',
      'Operations holding a concurrency slot',
    ),
    concurrencyQueued: gauge(
      MetricNames.CONCURRENCY_QUEUED,
      '{request}',
      'Operations waiting for a concurrency slot',
    ),
    queueDuration: histogram(
      MetricNames.QUEUE_DURATION,
      's',
      'Time spent waiting for a concurrency slot, by outcome',
      QUEUE_BUCKETS_S,
    ),
    sheddingPressure: gauge(
      MetricNames.SHEDDING_PRESSURE,
      '1',
      'Load-shedding pressure: the highest of event-loop delay over its target, heap and RSS over their limits',
    ),
    eventLoopDelay: gauge(
      MetricNames.EVENT_LOOP_DELAY,
      's',
      'Mean event-loop delay over the last sample',
    ),
    breakerState: gauge(
      MetricNames.BREAKER_STATE,
      '{state}',
      'Circuit breaker state: 0 closed, 1 half-open, 2 open',
    ),
    breakerTransitions: counter(
      MetricNames.BREAKER_TRANSITIONS,
      '{transition}',
      'Circuit breaker state changes, by the new state',
    ),
    retryAttempts: counter(
      MetricNames.RETRY_ATTEMPTS,
      '{attempt}',
      'Attempts of retried calls, by outcome',
    ),
    timeouts: counter(MetricNames.TIMEOUTS, '{timeout}', 'Deadlines that passed, by policy kind'),
    storeDuration: histogram(
      MetricNames.STORE_DURATION,
      's',
      'Time a rate-limit store took to count a hit',
      STORE_BUCKETS_S,
    ),
    uploads: counter(MetricNames.UPLOADS, '{upload}', 'Uploads accepted or refused, by reason'),
    uploadSize: histogram(MetricNames.UPLOAD_SIZE, 'By', 'Size of stored uploads', SIZE_BUCKETS_BY),
    errors: counter(MetricNames.ERRORS, '{error}', 'Errors answered by the error handler'),
  });
}

const noopCounter: MetricCounter = { add: () => undefined };
const noopHistogram: MetricHistogram = { record: () => undefined };
const noopGauge: MetricObservableGauge = {
  addCallback: () => undefined,
  removeCallback: () => undefined,
};

/** Instruments that record nothing: before the API loaded, without it, or without an SDK. */
export const NOOP_INSTRUMENTS: GuardInstruments = Object.freeze({
  requests: noopCounter,
  concurrencyLimit: noopGauge,
  concurrencyActive: noopGauge,
  concurrencyQueued: noopGauge,
  queueDuration: noopHistogram,
  sheddingPressure: noopGauge,
  eventLoopDelay: noopGauge,
  breakerState: noopGauge,
  breakerTransitions: noopCounter,
  retryAttempts: noopCounter,
  timeouts: noopCounter,
  storeDuration: noopHistogram,
  uploads: noopCounter,
  uploadSize: noopHistogram,
  errors: noopCounter,
});
