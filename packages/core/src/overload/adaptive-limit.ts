import { optionReader } from '../options/option-reader';
import { createAimdLimit } from './aimd-limit';
import { createGradient2Limit } from './gradient2-limit';
import { log10Step } from './limit-algorithm';
import type { LimitAlgorithm, WindowSample } from './limit-algorithm';
import { SampleWindow } from './sample-window';
import type { SampleWindowOptions } from './sample-window';
import { createVegasLimit } from './vegas-limit';

/** The adaptive limit algorithms. */
export type AdaptiveAlgorithm = 'gradient2' | 'vegas' | 'aimd';

/**
 * Options of the adaptive concurrency limit (`concurrency: { adaptive }`). The limit follows the
 * measured latency of admitted work: it grows while latency stays near its baseline and shrinks
 * when work queues up behind the limit (in the app, a connection pool, a dependency).
 */
export interface AdaptiveLimitOptions {
  /** `'gradient2'` (default), `'vegas'` or `'aimd'` (Netflix concurrency-limits). */
  algorithm?: AdaptiveAlgorithm;
  /** The limit before anything was measured. Default `20`. */
  initialLimit?: number;
  /** The limit never goes below this. Default `4`. */
  minLimit?: number;
  /** The limit never goes above this. Default `1000`. */
  maxLimit?: number;
  /** The limit stays within this multiple of the most operations seen in flight in a window. Default `5`. */
  maxLimitFactor?: number;
  /** Sampling windows: `{ minMs: 25, maxMs: 1000, minSamples: 10 }`; a window lasts twice its shortest RTT within those bounds. */
  window?: { minMs?: number; maxMs?: number; minSamples?: number };
  /** Gradient2: how much slower than the baseline a window may be before the limit shrinks. Default `1.5`. */
  rttTolerance?: number;
  /** Gradient2 (default `0.2`) and Vegas (default `1`): weight of each window's verdict, in (0, 1]. */
  smoothing?: number;
  /** Gradient2: slots added per window while latency is within tolerance (before smoothing). Default `4`. */
  queueSize?: number;
  /** Gradient2: windows the baseline RTT averages over. Default `600`. */
  longWindow?: number;
  /** Vegas: the no-load RTT is measured again every `probeMultiplier × limit` windows. Default `30`. */
  probeMultiplier?: number;
  /** AIMD: factor applied to the limit on a drop, in [0.5, 1). Default `0.9`. */
  backoffRatio?: number;
  /** AIMD: a window slower than this on average counts as a drop, in milliseconds. Default `5000`. */
  timeoutMs?: number;
}

/** Adaptive limit options with every field present. */
export interface ResolvedAdaptiveLimitOptions {
  readonly algorithm: AdaptiveAlgorithm;
  readonly initialLimit: number;
  readonly minLimit: number;
  readonly maxLimit: number;
  readonly maxLimitFactor: number;
  readonly window: SampleWindowOptions;
  /** The algorithm's own settings (only those of `algorithm`). */
  readonly settings: Readonly<Record<string, number>>;
}

const COMMON_KEYS = [
  'algorithm',
  'initialLimit',
  'minLimit',
  'maxLimit',
  'maxLimitFactor',
  'window',
] as const;
const ALGORITHM_KEYS = {
  gradient2: ['rttTolerance', 'smoothing', 'queueSize', 'longWindow'],
  vegas: ['smoothing', 'probeMultiplier'],
  aimd: ['backoffRatio', 'timeoutMs'],
} as const;
const ALGORITHMS = Object.keys(ALGORITHM_KEYS) as AdaptiveAlgorithm[];

/**
 * Checks and completes `adaptive` options (`true` means every default). Options of another
 * algorithm than the one chosen are refused as unknown.
 */
export function resolveAdaptiveLimitOptions(
  factory: string,
  options: unknown,
  pathPrefix = 'adaptive.',
): ResolvedAdaptiveLimitOptions {
  const given = options === true ? {} : options;
  const algorithm = optionReader(
    factory,
    given,
    [...COMMON_KEYS, ...ALGORITHM_KEYS.gradient2, ...ALGORITHM_KEYS.vegas, ...ALGORITHM_KEYS.aimd],
    pathPrefix,
  ).oneOf('algorithm', ALGORITHMS, 'gradient2');
  const read = optionReader(
    factory,
    given,
    [...COMMON_KEYS, ...ALGORITHM_KEYS[algorithm]],
    pathPrefix,
  );
  const minLimit = read.positiveInteger('minLimit', 4, 'operations');
  const maxLimit = read.positiveInteger('maxLimit', Math.max(1000, minLimit), 'operations');
  if (maxLimit < minLimit) read.fail('maxLimit', `at least minLimit (${minLimit})`, maxLimit);
  const initialLimit = read.positiveInteger(
    'initialLimit',
    Math.min(maxLimit, Math.max(20, minLimit)),
    'operations',
  );
  if (initialLimit < minLimit || initialLimit > maxLimit)
    read.fail(
      'initialLimit',
      `between minLimit (${minLimit}) and maxLimit (${maxLimit})`,
      initialLimit,
    );
  const maxLimitFactor = read.positiveNumber('maxLimitFactor', 5);
  if (maxLimitFactor < 1) read.fail('maxLimitFactor', 'a number of at least 1', maxLimitFactor);

  const windowRead = optionReader(
    factory,
    read.raw('window'),
    ['minMs', 'maxMs', 'minSamples'],
    `${pathPrefix}window.`,
  );
  const minMs = windowRead.timerMs('minMs', 25);
  const maxMs = windowRead.timerMs('maxMs', Math.max(1000, minMs));
  if (maxMs < minMs) windowRead.fail('maxMs', `at least minMs (${minMs})`, maxMs);
  const window = Object.freeze({
    minMs,
    maxMs,
    minSamples: windowRead.positiveInteger('minSamples', 10, 'samples'),
  });

  let settings: Record<string, number>;
  switch (algorithm) {
    case 'gradient2': {
      const rttTolerance = read.positiveNumber('rttTolerance', 1.5);
      if (rttTolerance < 1) read.fail('rttTolerance', 'a number of at least 1', rttTolerance);
      settings = {
        rttTolerance,
        smoothing: read.ratio('smoothing', 0.2),
        queueSize: read.positiveNumber('queueSize', 4, 'operations'),
        longWindow: read.positiveInteger('longWindow', 600, 'windows'),
      };
      break;
    }
    case 'vegas':
      settings = {
        smoothing: read.ratio('smoothing', 1),
        probeMultiplier: read.positiveInteger('probeMultiplier', 30, 'windows per slot'),
      };
      break;
    case 'aimd': {
      const backoffRatio = read.ratio('backoffRatio', 0.9);
      if (backoffRatio < 0.5 || backoffRatio >= 1)
        read.fail('backoffRatio', 'a number from 0.5 up to (not including) 1', backoffRatio);
      settings = { backoffRatio, timeoutMs: read.timerMs('timeoutMs', 5000) };
      break;
    }
  }
  return Object.freeze({
    algorithm,
    initialLimit,
    minLimit,
    maxLimit,
    maxLimitFactor,
    window,
    settings: Object.freeze(settings),
  });
}

/** The live adaptive limit: fed with finished operations, it moves `limit` after each window. */
export interface AdaptiveLimit {
  /** The current limit (a whole number of operations, at least 1). */
  readonly limit: number;
  /**
   * Records one finished operation: its round trip in milliseconds, the operations in flight when it
   * started (itself included) and whether it was dropped. Returns true when `limit` changed.
   */
  sample(nowMs: number, rttMs: number, inflight: number, didDrop: boolean): boolean;
  /** Notes that demand reached the limit (an acquire found every slot taken). */
  markSaturated(): void;
  /** The last window closed (`undefined` before the first): what moved the limit last. */
  readonly lastWindow: WindowSample | undefined;
  /** Moves the limit by hand; the algorithm carries on from there. */
  set(limit: number): void;
}

/**
 * Builds the adaptive limit: windows of samples drive the chosen algorithm; the result is kept
 * within `[minLimit, maxLimit]` and within `maxLimitFactor ×` the most operations seen in flight
 * (failsafe-go's cap: a limit far above what is ever used protects nothing). `random` feeds the
 * Vegas probe jitter; `onWindow` sees each closed window and the limit it led to (the simulator's
 * window count).
 * @example
 * const adaptive = createAdaptiveLimit(resolveAdaptiveLimitOptions('app', true));
 * if (adaptive.sample(performance.now(), 12.5, 3, false)) semaphore.setLimit(adaptive.limit);
 */
export function createAdaptiveLimit(
  options: ResolvedAdaptiveLimitOptions,
  random: () => number = Math.random,
  onWindow?: (window: WindowSample, limit: number) => void,
): AdaptiveLimit {
  const { minLimit, maxLimit, maxLimitFactor } = options;
  const algorithm = createAlgorithm(options, random);
  const window = new SampleWindow(options.window);
  let estimate = options.initialLimit;
  let limit = Math.floor(estimate);
  let lastWindow: WindowSample | undefined;

  function apply(next: number, maxInflight: number): boolean {
    const cap = maxLimitFactor * maxInflight;
    if (next > cap) {
      // Above what is in use: come down step by step (in-flight counts are noisy), never jump up.
      next = estimate > cap ? Math.max(cap, estimate - log10Step(estimate)) : cap;
    }
    estimate = Math.min(maxLimit, Math.max(minLimit, next));
    const previous = limit;
    limit = Math.max(1, Math.floor(estimate));
    return limit !== previous;
  }

  return {
    get limit() {
      return limit;
    },
    get lastWindow() {
      return lastWindow;
    },
    sample(nowMs, rttMs, inflight, didDrop) {
      const closed = window.add(nowMs, rttMs, inflight, didDrop);
      if (closed === undefined) return false;
      lastWindow = closed;
      const changed = apply(algorithm.update(closed, estimate), closed.maxInflight);
      onWindow?.(closed, limit);
      return changed;
    },
    markSaturated() {
      window.markSaturated();
    },
    set(value) {
      estimate = Math.min(maxLimit, Math.max(minLimit, value));
      limit = Math.max(1, Math.floor(estimate));
    },
  };
}

function createAlgorithm(
  options: ResolvedAdaptiveLimitOptions,
  random: () => number,
): LimitAlgorithm {
  const s = options.settings;
  switch (options.algorithm) {
    case 'gradient2':
      return createGradient2Limit({
        rttTolerance: s.rttTolerance as number,
        smoothing: s.smoothing as number,
        queueSize: s.queueSize as number,
        longWindow: s.longWindow as number,
        minLimit: options.minLimit,
      });
    case 'vegas':
      return createVegasLimit({
        smoothing: s.smoothing as number,
        probeMultiplier: s.probeMultiplier as number,
        random,
      });
    case 'aimd':
      return createAimdLimit({
        backoffRatio: s.backoffRatio as number,
        timeoutMs: s.timeoutMs as number,
      });
  }
}
