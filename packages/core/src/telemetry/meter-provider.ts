// The part of OpenTelemetry's metrics API the suite uses, written out structurally: core's public
// types must not name `@opentelemetry/api`, an optional peer that a user may not have installed.
// OpenTelemetry's own `MeterProvider` (from the SDK or `metrics.getMeterProvider()`) fits it.

/** Attribute values of a measurement: low-cardinality words and numbers only. */
export type MetricAttributes = Readonly<Record<string, string | number>>;

/** An OpenTelemetry Counter. */
export interface MetricCounter {
  add(value: number, attributes?: MetricAttributes): void;
}

/** An OpenTelemetry Histogram. */
export interface MetricHistogram {
  record(value: number, attributes?: MetricAttributes): void;
}

/** What an observable instrument's callback reports into. */
export interface MetricObservableResult {
  observe(value: number, attributes?: MetricAttributes): void;
}

/** A callback of an observable instrument, called at each collection. */
export type MetricObservableCallback = (result: MetricObservableResult) => void;

/** An OpenTelemetry ObservableGauge. */
export interface MetricObservableGauge {
  addCallback(callback: MetricObservableCallback): void;
  removeCallback(callback: MetricObservableCallback): void;
}

/** Options of an instrument: description, unit and (histograms) bucket advice. */
export interface MetricInstrumentOptions {
  description?: string;
  unit?: string;
  advice?: { explicitBucketBoundaries?: number[] };
}

/** An OpenTelemetry Meter (the instruments the suite creates). */
export interface GuardMeter {
  createCounter(name: string, options?: MetricInstrumentOptions): MetricCounter;
  createHistogram(name: string, options?: MetricInstrumentOptions): MetricHistogram;
  createObservableGauge(name: string, options?: MetricInstrumentOptions): MetricObservableGauge;
}

/**
 * An OpenTelemetry `MeterProvider`, as the `meterProvider` option takes it: pass the SDK's
 * `MeterProvider` to record the suite's metrics there instead of in the global one. (Typed loosely
 * so that the suite's public types never name `@opentelemetry/api`; its `getMeter` must return an
 * OpenTelemetry `Meter`.)
 */
export interface GuardMeterProvider {
  /** Returns the meter of an instrumentation scope (the suite asks for `guard-core`). */
  getMeter(name: string, version?: string): object;
}

/** Whether a value can serve as a `meterProvider` option. */
export function isMeterProvider(value: unknown): value is GuardMeterProvider {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { getMeter?: unknown }).getMeter === 'function'
  );
}
