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
  /** The adaptive limit's floor: there, latency above the baseline is not queueing it can cut. */
  readonly minLimit: number;
}

/**
 * Windows whose lowest RTT is the first baseline, before it becomes an exponential average. Netflix
 * averages them; the lowest is what the service takes unqueued: a server started under overload
 * queues from its second window on (the limit doubles), and an average would take that queueing
 * for the service's own latency and hold the limit several times too high for good.
 */
const WARMUP_WINDOWS = 10;
/** The gradient never cuts the limit by more than half in one window (Netflix). */
const MIN_GRADIENT = 0.5;
/** The most a saturated window may multiply the limit by (Envoy caps its gradient at 2 too). */
const MAX_GROWTH = 2;

/**
 * Gradient2 (Netflix `Gradient2Limit`): compares each window's mean RTT (`short`) with a long-term
 * baseline (`long`), `gradient = clamp(rttTolerance × long / short, 0.5, 1)`, and moves the limit to
 * `limit × gradient + queueSize`, smoothed: `limit × (1 − smoothing) + new × smoothing`. A window
 * where less than half the limit was in use changes nothing (the app is limited, not the server).
 *
 * Guards against its known failure modes:
 * - Netflix/concurrency-limits#134: the queue term is added only when `gradient ≥ 1`; otherwise
 *   modest overload (gradient ≈ 0.8) lets the limit grow without bound.
 * - #137: dropped operations (timeouts) are not latency samples; a window with drops never grows
 *   and shrinks by its share of drops, so a constant timeout RTT cannot climb to the maximum.
 * - The baseline does not rise while the limit is saturated and latency is above it: queueing would
 *   otherwise become the new baseline, a slow ratchet towards the maximum.
 * - No collapse when the service itself gets slower (see `createSlowdownDetector`), and no getting
 *   stuck at the minimum (go-concurrency-limits#117): latency that does not fall with the limit,
 *   or that stays over the tolerance at the minimum limit, becomes the new baseline.
 * - Quick growth: a saturated window (demand reached the limit) multiplies the limit by its
 *   headroom `rttTolerance × long / short`, and doubles it when latency is at or below the baseline
 *   (at most 2, as Envoy's gradient), so a limit far below what the server sustains — at start, or
 *   after load subsides — recovers in a few windows, not hundreds.
 */
export function createGradient2Limit(settings: Gradient2Settings): LimitAlgorithm {
  const { rttTolerance, smoothing, queueSize, longWindow, minLimit } = settings;
  const factor = 2 / (longWindow + 1);
  const slowdown = createSlowdownDetector();
  let long = 0;
  let warmup = 0;

  function updateBaseline(window: WindowSample, estimate: number): void {
    const short = window.rttMs;
    if (warmup < WARMUP_WINDOWS) {
      long = warmup++ === 0 ? short : Math.min(long, short);
    } else if (short < long || !(window.saturated || window.maxInflight >= estimate)) {
      long += (short - long) * factor;
    }
    // Latency back to normal after long overload: bring the baseline down without waiting (Netflix).
    if (long / short > 2) long *= 0.95;
  }

  return {
    update(window, estimate) {
      // Only drops: the strongest sign of overload there is, and no latency to compare.
      if (window.successes === 0) return estimate * (1 - smoothing * (1 - MIN_GRADIENT));
      updateBaseline(window, estimate);
      const short = window.rttMs;
      if (window.maxInflight < estimate / 2) {
        slowdown.forget();
        return estimate;
      }
      const headroom = (rttTolerance * long) / short;
      let gradient = Math.max(MIN_GRADIENT, Math.min(1, headroom));
      if (window.drops > 0)
        gradient = Math.min(
          gradient,
          Math.max(MIN_GRADIENT, 1 - window.drops / (window.successes + window.drops)),
        );
      if (gradient < 1) {
        // At the floor the limit cannot cut that latency any further: it is the service's (a
        // baseline learned on an idle process, a handler slower for good). Without this, the
        // baseline, which never rises while the limit is saturated, pins the limit to the floor.
        const atFloor = estimate <= minLimit;
        if (
          window.drops === 0 &&
          (atFloor || slowdown.isSlowerService(window.meanInflight, short))
        ) {
          long = short;
          return estimate;
        }
        return estimate * (1 - smoothing) + estimate * gradient * smoothing;
      }
      slowdown.forget();
      const grown = estimate + queueSize * smoothing;
      if (!window.saturated) return grown;
      // No latency above the baseline at all: double, as TCP slow start does; else grow by the headroom.
      return Math.max(
        grown,
        estimate * (short <= long ? MAX_GROWTH : Math.min(MAX_GROWTH, headroom)),
      );
    },
  };
}

/** The detector looks for a verdict once concurrency fell by a quarter within a decrease. */
const VERDICT_RANGE = Math.log(4 / 3);
/** By the time concurrency halved, it decides on its best estimate, however noisy. */
const FORCED_VERDICT_RANGE = Math.log(2);
/** Below this elasticity of latency to concurrency, the latency is not queueing. */
const QUEUEING_ELASTICITY = 0.5;

/**
 * Tells queueing from a slower service while the limit decreases. Queueing latency falls with
 * concurrency (fewer requests ahead: latency ∝ concurrency, an elasticity of 1); a service that got
 * slower (a colder cache, a slower dependency, service time doubled for good) keeps its latency
 * however low the limit goes (elasticity 0). Within a decrease, from the latency's peak on (it
 * lags the limit by a round trip), each window adds a point (ln mean in-flight, ln mean RTT) — each
 * operation's RTT paired with the concurrency it met — and once concurrency has fallen by a quarter
 * the least-squares slope decides: under 0.5, the latency
 * is the service's own and becomes the baseline; else it was queueing, and the next quarter is
 * judged afresh. Many windows go into each verdict, so one noisy window cannot trigger it.
 */
function createSlowdownDetector() {
  let n = 0;
  let sumX = 0;
  let sumY = 0;
  let sumXX = 0;
  let sumXY = 0;
  let sumYY = 0;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const forget = () => {
    n = sumX = sumY = sumXX = sumXY = sumYY = 0;
    maxX = maxY = -Infinity;
  };
  return {
    /** During a decrease: adds a window; true once the latency proved to be the service's own. */
    isSlowerService(meanInflight: number, rttMs: number): boolean {
      const x = Math.log(Math.max(1, meanInflight));
      const y = Math.log(rttMs);
      // Latency still climbing (it lags the limit; a service that just slowed down): judge from its peak.
      if (y > maxY) {
        forget();
        maxY = y;
      }
      n++;
      sumX += x;
      sumY += y;
      sumXX += x * x;
      sumXY += x * y;
      sumYY += y * y;
      if (x > maxX) maxX = x;
      const range = maxX - x;
      if (range < VERDICT_RANGE || n < 3) return false;
      // Least squares: the slope, and its standard error from the scatter around the line.
      const sxx = sumXX - (sumX * sumX) / n;
      const sxy = sumXY - (sumX * sumY) / n;
      const syy = sumYY - (sumY * sumY) / n;
      const elasticity = sxy / sxx;
      const residual = Math.max(0, syy - elasticity * sxy) / (n - 2);
      const margin = 2 * Math.sqrt(residual / sxx);
      const slower = elasticity + margin < QUEUEING_ELASTICITY;
      const queueing = elasticity - margin > QUEUEING_ELASTICITY;
      if (!slower && !queueing && range < FORCED_VERDICT_RANGE) return false; // not sure yet
      forget();
      return slower || (!queueing && elasticity < QUEUEING_ELASTICITY);
    },
    /** The decrease ended (the limit grew, or the app stopped using it): start over next time. */
    forget,
  };
}
