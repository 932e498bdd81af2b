import type { LimitAlgorithm, WindowSample } from './limit-algorithm';

/** Settings of the Gradient2 algorithm (Netflix `Gradient2Limit`). */
export interface Gradient2Settings {
  /** How much longer than the baseline RTT a window may run before the limit shrinks. Netflix default `1.5`. */
  readonly rttTolerance: number;
  /** Weight of a window's verdict in the new limit (0–1]. Netflix default `0.2`. */
  readonly smoothing: number;
  /** Slots added per window while latency stays within tolerance. Netflix default `4`. */
  readonly queueSize: number;
  /** Windows the baseline RTT averages over (an exponential average). Netflix default `600`. */
  readonly longWindow: number;
}

/** Windows averaged plainly before the baseline becomes an exponential average (Netflix: 10). */
const WARMUP_WINDOWS = 10;
/** The gradient never cuts the limit by more than half in one window (Netflix). */
const MIN_GRADIENT = 0.5;
/** The most a saturated window may multiply the limit by (Envoy's gradient is capped at 2 too). */
const MAX_GROWTH = 2;
/** A limit this much lower than where a decrease started, at unchanged latency, means no queueing. */
const REBASELINE_CONCURRENCY_RATIO = 0.75;
/** Latency that fell by at least this factor with the limit was queueing. */
const QUEUEING_RTT_RATIO = 0.9;

/**
 * Gradient2 (Netflix `Gradient2Limit`): compares each window's mean RTT (`short`) with a long-term
 * baseline (`long`), `gradient = clamp(rttTolerance × long / short, 0.5, 1)`, and moves the limit to
 * `limit × gradient + queueSize`, smoothed. Guards against its known failure modes:
 * - Netflix/concurrency-limits#134: the queue term is added only when `gradient ≥ 1`, else modest
 *   overload (gradient ≈ 0.8) lets the limit grow without bound.
 * - #137: dropped operations (timeouts) are not latency samples, and a window with drops never
 *   grows and shrinks by its share of drops, so a constant timeout RTT cannot climb to the maximum.
 * - The baseline does not rise while the limit is saturated and latency is above it (queueing would
 *   otherwise become the new baseline, a slow ratchet towards the maximum).
 * - No collapse when the service itself gets slower: when the limit fell by a quarter without the
 *   latency following, the latency is not queueing and becomes the new baseline.
 * - Quick growth: a saturated window whose latency is at or below the baseline doubles the limit
 *   (no queueing at all, so the app is held back by the limit alone), as TCP slow start does.
 */
export function createGradient2Limit(settings: Gradient2Settings): LimitAlgorithm {
  const { rttTolerance, smoothing, queueSize, longWindow } = settings;
  const factor = 2 / (longWindow + 1);
  let long = 0;
  let warmup = 0;
  /** Where the current decrease started (or last saw latency fall with the limit). */
  let decreaseFrom: { inflight: number; rttMs: number } | undefined;

  function updateBaseline(window: WindowSample, estimate: number): void {
    const short = window.rttMs;
    if (warmup < WARMUP_WINDOWS) {
      warmup++;
      long += (short - long) / warmup;
    } else if (short < long || !(window.saturated || window.maxInflight >= estimate)) {
      long += (short - long) * factor;
    }
    // Latency back to normal after long overload: bring the baseline down without waiting (Netflix).
    if (long / short > 2) long *= 0.95;
  }

  return {
    update(window, estimate) {
      const total = window.successes + window.drops;
      if (window.successes === 0) return estimate * (1 - smoothing * (1 - MIN_GRADIENT));
      updateBaseline(window, estimate);
      const short = window.rttMs;
      // App-limited: far from the limit, the latency says nothing about it.
      if (window.maxInflight < estimate / 2) {
        decreaseFrom = undefined;
        return estimate;
      }
      const headroom = (rttTolerance * long) / short;
      let gradient = Math.max(MIN_GRADIENT, Math.min(1, headroom));
      if (window.drops > 0) gradient = Math.min(gradient, Math.max(MIN_GRADIENT, 1 - window.drops / total));
      if (gradient < 1) {
        // The reference is the latest peak of latency, or the point where it last fell with the
        // limit (measured latency lags the limit by a round trip).
        if (
          decreaseFrom === undefined ||
          short >= decreaseFrom.rttMs ||
          short < decreaseFrom.rttMs * QUEUEING_RTT_RATIO
        ) {
          decreaseFrom = { inflight: window.maxInflight, rttMs: short };
        } else if (window.maxInflight <= decreaseFrom.inflight * REBASELINE_CONCURRENCY_RATIO && window.drops === 0) {
          // A quarter less concurrency and no less latency: the service got slower, not queued.
          long = short;
          decreaseFrom = undefined;
          return estimate;
        }
        return estimate * (1 - smoothing) + estimate * gradient * smoothing;
      }
      decreaseFrom = undefined;
      const grown = estimate + queueSize * smoothing;
      if (window.saturated) return Math.max(grown, estimate * Math.min(MAX_GROWTH, headroom));
      return grown;
    },
  };
}
