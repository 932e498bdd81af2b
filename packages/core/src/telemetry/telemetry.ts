import { NOOP_INSTRUMENTS, createInstruments } from './instruments';
import type { GaugeName, GuardInstruments } from './instruments';
import type {
  GuardMeter,
  GuardMeterProvider,
  MetricAttributes,
  MetricObservableCallback,
} from './meter-provider';
import { loadMetricsApi, metricsApiIfLoaded } from './metrics-api';
import type { MetricsApi } from './metrics-api';
import { CORE_VERSION, METER_NAME } from './version';

// Several policies share a meter: each instrument is created once per meter.
const instrumentsByMeter = new WeakMap<GuardMeter, GuardInstruments>();

function instrumentsOf(meter: GuardMeter): GuardInstruments {
  let instruments = instrumentsByMeter.get(meter);
  if (!instruments) {
    instruments = createInstruments(meter);
    instrumentsByMeter.set(meter, instruments);
  }
  return instruments;
}

/** The global provider's meter, or `undefined` when that is the API's no-op (no SDK registered). */
function globalMeter(api: MetricsApi): GuardMeter | undefined {
  const meter = api.getMeterProvider().getMeter(METER_NAME, CORE_VERSION) as GuardMeter;
  return meter === api.createNoopMeter() ? undefined : meter;
}

interface Observation {
  readonly gauge: GaugeName;
  readonly callback: MetricObservableCallback;
}

/**
 * Reads a gauge's value from a policy held weakly: a policy nobody closed can still be collected,
 * and then its callback observes nothing. Built here, outside any policy factory, so the callback's
 * closure holds nothing of the policy but the WeakRef.
 */
function weakObserver<T extends object>(
  target: T,
  read: (target: T) => number | undefined,
  attributes: MetricAttributes | undefined,
): MetricObservableCallback {
  const ref = new WeakRef(target);
  return (result) => {
    const live = ref.deref();
    if (live === undefined) return;
    const value = read(live);
    if (value !== undefined && Number.isFinite(value)) result.observe(value, attributes);
  };
}

/**
 * One policy's link to the metrics: the instruments it records into and the gauge callbacks it
 * registered. The meter is looked up when the policy is created (from `meterProvider`, else the
 * global MeterProvider), never at import. Until it is known — the first policy of a process waits
 * for `@opentelemetry/api` to load — and for good when the API is missing or no SDK is registered,
 * `enabled` is false and the instruments are no-ops, so the request path pays one boolean read.
 */
export class Telemetry {
  /** True once real instruments are in place: the request path checks it before measuring. */
  enabled = false;
  /** The instruments (no-ops while `enabled` is false). */
  instruments: GuardInstruments = NOOP_INSTRUMENTS;
  readonly #observations: Observation[] = [];
  #closed = false;

  /** Switches to `meter`'s instruments and registers the gauge callbacks made so far. */
  attach(meter: GuardMeter | undefined): void {
    if (meter === undefined || this.#closed || this.enabled) return;
    this.instruments = instrumentsOf(meter);
    this.enabled = true;
    for (const { gauge, callback } of this.#observations)
      this.instruments[gauge].addCallback(callback);
  }

  /**
   * Reports `read(target)` on `gauge` at every collection, with `attributes`, until `close()` (or
   * until `target` is garbage-collected). Registered now, or once the meter is known.
   */
  observe<T extends object>(
    gauge: GaugeName,
    target: T,
    read: (target: T) => number | undefined,
    attributes?: MetricAttributes,
  ): void {
    if (this.#closed) return;
    const callback = weakObserver(target, read, attributes);
    this.#observations.push({ gauge, callback });
    if (this.enabled) this.instruments[gauge].addCallback(callback);
  }

  /** Unregisters every gauge callback (the policy's series stop); counters keep working. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const { gauge, callback } of this.#observations.splice(0))
      this.instruments[gauge].removeCallback(callback);
  }
}

/**
 * The telemetry of a policy being created: `meterProvider` when given (at once), else the global
 * MeterProvider (at once when `@opentelemetry/api` is already loaded, else as soon as it is).
 */
export function createTelemetry(meterProvider?: GuardMeterProvider): Telemetry {
  const telemetry = new Telemetry();
  if (meterProvider !== undefined) {
    telemetry.attach(meterProvider.getMeter(METER_NAME, CORE_VERSION) as GuardMeter);
    return telemetry;
  }
  const api = metricsApiIfLoaded();
  if (api === null) return telemetry;
  if (api !== undefined) {
    telemetry.attach(globalMeter(api));
    return telemetry;
  }
  void loadMetricsApi().then((loaded) => {
    // A broken global provider must not surface as an unhandled rejection: no metrics, then.
    try {
      if (loaded) telemetry.attach(globalMeter(loaded));
    } catch {
      // left disabled
    }
  });
  return telemetry;
}

/** Resolves once `@opentelemetry/api` has loaded (or is known missing): for tests and start-up checks. */
export function metricsReady(): Promise<void> {
  return loadMetricsApi().then(() => undefined);
}
