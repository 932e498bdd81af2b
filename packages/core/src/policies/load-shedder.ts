import { LoadShedError } from '../errors/load-shed-error';
import { withoutStack } from '../errors/without-stack';
import { optionReader } from '../options/option-reader';
import type { Criticality } from '../overload/criticality';
import { createConnectionTurns } from '../overload/connection-turns';
import { createProcessProbe } from '../overload/process-probe';
import type { PerCriticality } from '../overload/shed-allocation';
import { createShedController } from '../overload/shed-controller';
import type { LoadMeasurement } from '../overload/shed-controller';
import { observeShedder, publishShedding } from '../telemetry/load-shedding-telemetry';
import type { GuardMeterProvider } from '../telemetry/meter-provider';
import { readMeterProvider } from '../telemetry/meter-provider-option';
import { createTelemetry } from '../telemetry/telemetry';

/** Options of `createLoadShedder` (and of `loadShedding()` / `guard({ loadShedding })`). */
export interface LoadShedderOptions {
  /**
   * Nothing is refused until the mean event-loop delay of two busy samples in a row passes this;
   * above it refusals rise at their fastest. In milliseconds; default `200`. The default target is
   * a quarter of it.
   */
  maxEventLoopDelayMs?: number;
  /**
   * The event-loop delay the shedder holds an overloaded process at, refusing a share of requests
   * that rises and falls with it (milliseconds). Default: `maxEventLoopDelayMs / 4` (`50`).
   */
  targetEventLoopDelayMs?: number;
  /**
   * Refusals rise only while the event loop is at least this busy, 0–1 (a delay spike in a loop
   * with idle time refuses nothing); utilization alone never refuses. Default `0.98`.
   */
  maxEventLoopUtilization?: number;
  /** Every request is refused while V8's used heap is over this, in bytes. Default: no heap limit. */
  maxHeapUsedBytes?: number;
  /** Every request is refused while the resident set size is over this, in bytes. Default: no RSS limit. */
  maxRssBytes?: number;
  /** How often the figures are sampled and the refused share updated, in milliseconds. Default `100`. */
  sampleIntervalMs?: number;
  /** `Retry-After` of a shed request, in seconds. Default `10`. */
  retryAfterSeconds?: number;
  /**
   * Takes the measurements instead of this process's own (event-loop delay and utilization since
   * the last call, heap, RSS): another source of load figures, or fixed figures in a test.
   * Default: perf_hooks and `process.memoryUsage()`.
   */
  probe?: LoadProbe;
  /** Where its gauges go (an OpenTelemetry MeterProvider). Default: the global MeterProvider. */
  meterProvider?: GuardMeterProvider;
}

/** The figures of the last sample, as a health endpoint would show them. */
export interface LoadFigures {
  /** Mean event-loop delay over the last interval, in milliseconds. */
  readonly eventLoopDelayMs: number;
  /** Event-loop utilization over the last interval, 0–1. */
  readonly eventLoopUtilization: number;
  /** V8 heap in use, in bytes. */
  readonly heapUsedBytes: number;
  /** Resident set size, in bytes. */
  readonly rssBytes: number;
  /** Whether some new requests are being refused. */
  readonly overloaded: boolean;
  /** The share of all requests being refused, 0–1 (1 while heap or RSS is over its limit). */
  readonly shedProbability: number;
  /** Each class's probability of being refused, 0–1: `sheddable` first, `critical_plus` last. */
  readonly shedProbabilities: Readonly<Record<Criticality, number>>;
  /**
   * How hard the process presses on its limits, 0–1 and beyond: the highest of the event-loop delay
   * over `targetEventLoopDelayMs`, the heap over `maxHeapUsedBytes` and the RSS over `maxRssBytes`.
   * 1 is the delay an overloaded process is held at (or a memory limit reached, where everything
   * is refused); refusals start only once the delay passes `maxEventLoopDelayMs` on a busy loop
   * (4 with the default target), then keep it near 1. Utilization alone never refuses, so it is
   * not part of it. The metric `guard.load_shedding.pressure` and the `guard:load-shedding` event.
   */
  readonly pressure: number;
  /** Epoch milliseconds of the sample. */
  readonly sampledAt: number;
}

/**
 * The raw measurements one sample takes; injectable so the decision can be tested without load.
 * `intervalMs` (the time the sample covers) defaults to `sampleIntervalMs`.
 */
export type LoadProbe = () => LoadMeasurement;

/** Samples process load on an unref'd timer; the request path reads one precomputed probability. */
export interface LoadShedder {
  /** True while some requests are being refused. */
  readonly overloaded: boolean;
  /** The last sample. */
  readonly figures: LoadFigures;
  /** The resolved options. */
  readonly options: ResolvedLoadShedderOptions;
  /**
   * Counts one request of class `criticality` (default `'critical'`) and says whether to refuse it:
   * one read of the class's precomputed probability and, only while it is between 0 and 1, one
   * random number. No allocation. `connection` (the request's socket) lets the shedder see clients
   * waiting in the listen queue (see `createConnectionTurns`).
   */
  shouldShed(criticality?: Criticality, connection?: object | null): boolean;
  /** A fresh `LoadShedError` (503, `Retry-After`) for a shed request. */
  error(): LoadShedError;
  /** Takes a sample now (the timer does this every `sampleIntervalMs`). */
  sample(): LoadFigures;
  /** Stops sampling (the probabilities stay at their last values) and its gauges. */
  close(): void;
}

/**
 * Every load-shedder option, resolved. Limits left out are `Infinity`; `probe` may be absent; the
 * meter provider is not kept (`startLoadShedder` takes it).
 */
export type ResolvedLoadShedderOptions = Readonly<
  Required<Omit<LoadShedderOptions, 'probe' | 'meterProvider'>> & { probe: LoadProbe | undefined }
>;

const KNOWN_OPTIONS = [
  'maxEventLoopDelayMs',
  'targetEventLoopDelayMs',
  'maxEventLoopUtilization',
  'maxHeapUsedBytes',
  'maxRssBytes',
  'sampleIntervalMs',
  'retryAfterSeconds',
  'probe',
  'meterProvider',
] as const;

/** Checks and completes load-shedding options; extra keys (such as an adapter's `skip`) may be allowed. */
export function resolveLoadShedderOptions(
  factory: string,
  options: unknown,
  extraKeys: readonly string[] = [],
  pathPrefix = '',
): ResolvedLoadShedderOptions {
  const read = optionReader(factory, options, [...KNOWN_OPTIONS, ...extraKeys], pathPrefix);
  const maxEventLoopDelayMs = read.positiveNumber('maxEventLoopDelayMs', 200, 'milliseconds');
  const targetEventLoopDelayMs = read.positiveNumber(
    'targetEventLoopDelayMs',
    maxEventLoopDelayMs / 4,
    'milliseconds',
  );
  if (targetEventLoopDelayMs >= maxEventLoopDelayMs)
    read.fail(
      'targetEventLoopDelayMs',
      `less than maxEventLoopDelayMs (${maxEventLoopDelayMs} ms)`,
      targetEventLoopDelayMs,
    );
  return Object.freeze({
    maxEventLoopDelayMs,
    targetEventLoopDelayMs,
    maxEventLoopUtilization: read.ratio('maxEventLoopUtilization', 0.98),
    maxHeapUsedBytes: read.optionalPositiveInteger('maxHeapUsedBytes', 'bytes') ?? Infinity,
    maxRssBytes: read.optionalPositiveInteger('maxRssBytes', 'bytes') ?? Infinity,
    // Handed to setInterval, which would turn anything over 2^31-1 ms into a 1 ms interval.
    sampleIntervalMs: read.timerMs('sampleIntervalMs', 100),
    retryAfterSeconds: read.positiveInteger('retryAfterSeconds', 10, 'seconds'),
    probe: read.optionalFunction<LoadProbe>('probe'),
  });
}

/**
 * Creates a load shedder: samples event-loop delay and utilization, heap used and RSS every
 * `sampleIntervalMs` (the timer never keeps the process alive) and refuses a share of requests
 * that follows the delay (a PIE controller, RFC 8033), lower classes first; over the heap or RSS
 * limit it refuses everything.
 * @example
 * const shedder = createLoadShedder({ targetEventLoopDelayMs: 50 });
 * if (shedder.shouldShed('sheddable')) throw shedder.error();
 * shedder.close();
 */
export function createLoadShedder(options: LoadShedderOptions = {}): LoadShedder {
  const factory = 'createLoadShedder';
  const resolved = resolveLoadShedderOptions(factory, options);
  return startLoadShedder(
    resolved,
    readMeterProvider(optionReader(factory, options, KNOWN_OPTIONS)),
  );
}

/**
 * Starts a shedder over options already resolved (the adapters resolve theirs with `skip`);
 * `meterProvider` receives its gauges (default: the global MeterProvider).
 */
export function startLoadShedder(
  resolved: ResolvedLoadShedderOptions,
  meterProvider?: GuardMeterProvider,
): LoadShedder {
  const given = resolved.probe;
  const own = given === undefined ? createProcessProbe() : { measure: given, stop: () => {} };
  const controller = createShedController(resolved);
  // The objects the request path touches: read and counted in place, never replaced.
  const probabilities: Readonly<PerCriticality> = controller.probabilities;
  const arrivals = controller.arrivals;
  let overloaded = false;
  let figures: LoadFigures;

  const turns = createConnectionTurns();
  let limitRefusedShare: (() => number | undefined) | undefined;

  function sample(): LoadFigures {
    const m = own.measure();
    controller.update({
      ...m,
      newConnectionShare: m.newConnectionShare ?? turns.take(),
      limitRefusedShare: m.limitRefusedShare ?? limitRefusedShare?.(),
    });
    const wasOverloaded = overloaded;
    overloaded = controller.isOverHardLimit || controller.shedProbability > 0;
    const pressure = Math.max(
      ratio(m.eventLoopDelayMs, resolved.targetEventLoopDelayMs),
      ratio(m.heapUsedBytes, resolved.maxHeapUsedBytes),
      ratio(m.rssBytes, resolved.maxRssBytes),
    );
    figures = Object.freeze({
      eventLoopDelayMs: m.eventLoopDelayMs,
      eventLoopUtilization: m.eventLoopUtilization,
      heapUsedBytes: m.heapUsedBytes,
      rssBytes: m.rssBytes,
      overloaded,
      shedProbability: controller.isOverHardLimit ? 1 : controller.shedProbability,
      shedProbabilities: Object.freeze({ ...probabilities }),
      pressure,
      sampledAt: Date.now(),
    });
    if (overloaded !== wasOverloaded) publishShedding(figures.pressure, overloaded);
    return figures;
  }
  // Heap and RSS are known at once; the loop figures start at zero until the first interval ends.
  figures = sample();
  const timer = setInterval(sample, resolved.sampleIntervalMs);
  timer.unref();
  const telemetry = createTelemetry(meterProvider);

  const shedder: LoadShedder = {
    get overloaded() {
      return overloaded;
    },
    get figures() {
      return figures;
    },
    options: resolved,
    shouldShed(criticality = 'critical', connection) {
      arrivals[criticality]++;
      turns.note(connection);
      const probability = probabilities[criticality];
      return probability > 0 && (probability >= 1 || Math.random() < probability);
    },
    // Shed requests come in floods: the answer needs no stack trace.
    error: () =>
      withoutStack(
        () => new LoadShedError(undefined, { retryAfterSeconds: resolved.retryAfterSeconds }),
      ),
    sample,
    close() {
      clearInterval(timer);
      own.stop();
      telemetry.close();
    },
  };
  observeShedder(telemetry, shedder);
  couplings.set(shedder, {
    refuseForLimit(source) {
      limitRefusedShare = source;
    },
    isProcessOverloaded: () => controller.isProcessOverloaded,
    eventLoopDelayMs: () => figures.eventLoopDelayMs,
  });
  return shedder;
}

/** How `guard()` couples its load shedder with its concurrency limit. */
export interface ShedderCoupling {
  /**
   * Refuses at the door, cheaply, most of what the concurrency limit would refuse: `source` gives
   * the share of its arrivals it refused since the last call, `0` while most found a free slot
   * (see `LoadMeasurement`).
   */
  refuseForLimit(source: () => number | undefined): void;
  /** Whether the process itself is overloaded (not only refusing for the limit). */
  readonly isProcessOverloaded: () => boolean;
  /** The event-loop delay of the latest sample, in milliseconds. */
  readonly eventLoopDelayMs: () => number;
}

const couplings = new WeakMap<LoadShedder, ShedderCoupling>();

/** The coupling of a shedder made by `startLoadShedder` (`undefined` for any other object). */
export function shedderCoupling(shedder: LoadShedder): ShedderCoupling | undefined {
  return couplings.get(shedder);
}

/** `value / limit` for the pressure: 0 for a figure a probe could not take (NaN) or no limit. */
function ratio(value: number, limit: number): number {
  const r = value / limit;
  return Number.isFinite(r) && r > 0 ? r : 0;
}
