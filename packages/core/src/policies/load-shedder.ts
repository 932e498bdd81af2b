import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { EventLoopUtilization, IntervalHistogram } from 'node:perf_hooks';
import { LoadShedError } from '../errors/load-shed-error';
import { withoutStack } from '../errors/without-stack';
import { optionReader } from '../options/option-reader';
import { observeShedder, pressureOf, publishShedding } from '../telemetry/load-shedding-telemetry';
import type { GuardMeterProvider } from '../telemetry/meter-provider';
import { readMeterProvider } from '../telemetry/meter-provider-option';
import { createTelemetry } from '../telemetry/telemetry';

/** Options of `createLoadShedder` (and of `loadShedding()` / `guard({ loadShedding })`). */
export interface LoadShedderOptions {
  /** Shed while the mean event-loop delay of the last sample is over this, in milliseconds. Default `200`. */
  maxEventLoopDelayMs?: number;
  /** Shed while the event-loop utilization of the last sample is over this ratio (0–1]. Default `0.98`. */
  maxEventLoopUtilization?: number;
  /** Shed while V8's used heap is over this, in bytes. Default: no heap limit. */
  maxHeapUsedBytes?: number;
  /** Shed while the resident set size is over this, in bytes. Default: no RSS limit. */
  maxRssBytes?: number;
  /** How often the figures are sampled, in milliseconds. Default `500`. */
  sampleIntervalMs?: number;
  /** `Retry-After` of a shed request, in seconds. Default `10`. */
  retryAfterSeconds?: number;
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
  /** Whether new requests are being shed. */
  readonly overloaded: boolean;
  /** Epoch milliseconds of the sample. */
  readonly sampledAt: number;
}

/** The raw measurements one sample takes; injectable so the decision can be tested without load. */
export type LoadProbe = () => Omit<LoadFigures, 'overloaded' | 'sampledAt'>;

/** Samples process load on an unref'd timer; the request path only reads `overloaded`. */
export interface LoadShedder {
  /** True while the last sample was over a threshold: one property read on the request path. */
  readonly overloaded: boolean;
  /** The last sample. */
  readonly figures: LoadFigures;
  /** The resolved options. */
  readonly options: ResolvedLoadShedderOptions;
  /** A fresh `LoadShedError` (503, `Retry-After`) for a shed request. */
  error(): LoadShedError;
  /** Takes a sample now (the timer does this every `sampleIntervalMs`). */
  sample(): LoadFigures;
  /** Stops sampling (`overloaded` stays at its last value) and its gauges. */
  close(): void;
}

/** Every load-shedder option, resolved. Limits left out are `Infinity`. */
export type ResolvedLoadShedderOptions = Readonly<
  Required<Omit<LoadShedderOptions, 'meterProvider'>>
>;

const KNOWN_OPTIONS = [
  'maxEventLoopDelayMs',
  'maxEventLoopUtilization',
  'maxHeapUsedBytes',
  'maxRssBytes',
  'sampleIntervalMs',
  'retryAfterSeconds',
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
  return Object.freeze({
    maxEventLoopDelayMs: read.positiveNumber('maxEventLoopDelayMs', 200, 'milliseconds'),
    maxEventLoopUtilization: read.ratio('maxEventLoopUtilization', 0.98),
    maxHeapUsedBytes: read.optionalPositiveInteger('maxHeapUsedBytes', 'bytes') ?? Infinity,
    maxRssBytes: read.optionalPositiveInteger('maxRssBytes', 'bytes') ?? Infinity,
    // Handed to setInterval, which would turn anything over 2^31-1 ms into a 1 ms interval.
    sampleIntervalMs: read.timerMs('sampleIntervalMs', 500),
    retryAfterSeconds: read.positiveInteger('retryAfterSeconds', 10, 'seconds'),
  });
}

/** The histogram's own timer resolution, in milliseconds; subtracted so an idle loop reads ~0. */
const RESOLUTION_MS = 10;

function createProcessProbe(): { probe: LoadProbe; stop(): void } {
  const histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  let lastElu: EventLoopUtilization | undefined;
  return {
    probe() {
      const mean = histogram.mean;
      histogram.reset();
      // The first sample (at construction) covers no interval: its loop figures would be noise.
      const elu = lastElu ? performance.eventLoopUtilization(lastElu).utilization : 0;
      lastElu = performance.eventLoopUtilization();
      const memory = process.memoryUsage();
      return {
        // The histogram reads NaN before its first tick.
        eventLoopDelayMs: Number.isFinite(mean) ? Math.max(0, mean / 1e6 - RESOLUTION_MS) : 0,
        eventLoopUtilization: elu,
        heapUsedBytes: memory.heapUsed,
        rssBytes: memory.rss,
      };
    },
    stop: () => histogram.disable(),
  };
}

/**
 * Creates a load shedder: samples event-loop delay, event-loop utilization, heap used and RSS every
 * `sampleIntervalMs` (the timer never keeps the process alive) and sheds while any is over its limit.
 * @example
 * const shedder = createLoadShedder({ maxEventLoopDelayMs: 200 });
 * if (shedder.overloaded) throw shedder.error();
 * shedder.close();
 */
export function createLoadShedder(
  options: LoadShedderOptions = {},
  probe?: LoadProbe,
  factory = 'createLoadShedder',
): LoadShedder {
  const resolved = resolveLoadShedderOptions(factory, options);
  return startLoadShedder(
    resolved,
    probe,
    readMeterProvider(optionReader(factory, options, KNOWN_OPTIONS)),
  );
}

/**
 * Starts a shedder over options already resolved (the adapters resolve theirs with `skip`);
 * `meterProvider` receives its gauges (default: the global MeterProvider).
 */
export function startLoadShedder(
  resolved: ResolvedLoadShedderOptions,
  probe?: LoadProbe,
  meterProvider?: GuardMeterProvider,
): LoadShedder {
  const own = probe === undefined ? createProcessProbe() : { probe, stop: () => undefined };
  const measure = own.probe;
  const { maxEventLoopDelayMs, maxEventLoopUtilization, maxHeapUsedBytes, maxRssBytes } = resolved;
  let overloaded = false;
  let figures: LoadFigures;

  function sample(): LoadFigures {
    const m = measure();
    const wasOverloaded = overloaded;
    overloaded =
      m.eventLoopDelayMs > maxEventLoopDelayMs ||
      m.eventLoopUtilization > maxEventLoopUtilization ||
      m.heapUsedBytes > maxHeapUsedBytes ||
      m.rssBytes > maxRssBytes;
    figures = Object.freeze({ ...m, overloaded, sampledAt: Date.now() });
    if (overloaded !== wasOverloaded) publishShedding(pressureOf(shedder), overloaded);
    return figures;
  }
  const telemetry = createTelemetry(meterProvider);

  const shedder: LoadShedder = {
    get overloaded() {
      return overloaded;
    },
    get figures() {
      return figures;
    },
    options: resolved,
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
  // Heap and RSS are known at once; the loop figures start at zero until the first interval ends.
  figures = sample();
  const timer = setInterval(sample, resolved.sampleIntervalMs);
  timer.unref();
  observeShedder(telemetry, shedder);
  return shedder;
}
