import { log10Step } from './limit-algorithm';
import type { LimitAlgorithm } from './limit-algorithm';

/** Settings of the Vegas algorithm (Netflix `VegasLimit`). */
export interface VegasSettings {
  /** Weight of a window's verdict in the new limit (0–1]. Netflix default `1`. */
  readonly smoothing: number;
  /** The no-load RTT is measured again every `probeMultiplier × limit` windows (jittered). Netflix default `30`. */
  readonly probeMultiplier: number;
  /** A number in [0, 1) for the probe jitter; `Math.random` unless a simulation fixes it. */
  readonly random: () => number;
}

/**
 * Vegas (Netflix `VegasLimit`, after TCP Vegas): estimates the queue as
 * `limit × (1 − rttNoLoad / rtt)`, with `rttNoLoad` the shortest window RTT (here only latency
 * beyond two standard errors of the window's mean counts, so sampling noise is not a queue), and with
 * `L = max(1, ⌊log10 limit⌋)` adds `6L` when the queue is at most `L`, `L` while it is under `3L`,
 * takes `L` away above `6L` or on a drop, and holds in between. `rttNoLoad` is probed again from the
 * current RTT every `probeMultiplier × limit × rand(0.5, 1)` windows, so a service that got slower
 * for good is not mistaken for a queue for ever.
 */
export function createVegasLimit(settings: VegasSettings): LimitAlgorithm {
  const { smoothing, probeMultiplier, random } = settings;
  let rttNoLoad = 0;
  let probeCount = 0;
  let probeJitter = 0.5 + random() / 2;

  return {
    update(window, estimate) {
      const step = log10Step(estimate);
      if (window.successes === 0) return estimate - step * smoothing;
      const rtt = window.rttMs;
      probeCount++;
      if (probeJitter * probeMultiplier * estimate <= probeCount) {
        probeJitter = 0.5 + random() / 2;
        probeCount = 0;
        rttNoLoad = rtt;
        return estimate;
      }
      if (rttNoLoad === 0 || rtt < rttNoLoad) {
        rttNoLoad = rtt;
        return estimate;
      }
      let next: number;
      if (window.drops > 0) next = estimate - step;
      else if (window.maxInflight * 2 < estimate) return estimate;
      else {
        // Only latency beyond the window's own noise (two standard errors) counts as queue: the
        // noise of a mean over a short window would otherwise read as a standing queue at large
        // limits and hold the limit far below what the server sustains.
        const queued = Math.max(0, rtt - 2 * window.rttStdErrMs - rttNoLoad);
        const queue = Math.ceil((estimate * queued) / rtt);
        if (queue <= step) next = estimate + 6 * step;
        else if (queue < 3 * step) next = estimate + step;
        else if (queue > 6 * step) next = estimate - step;
        else return estimate;
      }
      return (1 - smoothing) * estimate + smoothing * next;
    },
  };
}
