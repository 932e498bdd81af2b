import type { LimitAlgorithm } from './limit-algorithm';

/** Settings of the AIMD algorithm (Netflix `AIMDLimit`). */
export interface AimdSettings {
  /** Factor applied to the limit on a drop, in [0.5, 1). Netflix default `0.9`. */
  readonly backoffRatio: number;
  /** A window whose mean RTT exceeds this counts as a drop, in milliseconds. Netflix default `5000`. */
  readonly timeoutMs: number;
}

/**
 * AIMD (Netflix `AIMDLimit`): additive increase, multiplicative decrease. A window with a drop (or
 * a mean RTT over `timeoutMs`) multiplies the limit by `backoffRatio`; otherwise, when at least half
 * the limit was in use, it grows by one. It reads no latency below `timeoutMs`, so it suits calls
 * whose overload shows as errors and timeouts.
 */
export function createAimdLimit(settings: AimdSettings): LimitAlgorithm {
  const { backoffRatio, timeoutMs } = settings;
  return {
    update(window, estimate) {
      if (window.drops > 0 || window.rttMs > timeoutMs) return estimate * backoffRatio;
      if (window.maxInflight * 2 >= estimate) return estimate + 1;
      return estimate;
    },
  };
}
