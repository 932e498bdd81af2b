/** What one sampling window measured: the input of every adaptive limit algorithm. */
export interface WindowSample {
  /** Mean round-trip time of the window's successful operations, in milliseconds (0 when none succeeded). */
  readonly rttMs: number;
  /** Standard error of `rttMs` (its noise from one window to the next), in milliseconds. */
  readonly rttStdErrMs: number;
  /** Shortest successful round-trip time in the window, in milliseconds (0 when none succeeded). */
  readonly minRttMs: number;
  /** Most operations in flight when one of the window's operations started (itself included). */
  readonly maxInflight: number;
  /** Mean of the operations in flight when the window's successful operations started (pairs with `rttMs`). */
  readonly meanInflight: number;
  /** Operations that completed normally. */
  readonly successes: number;
  /** Operations that were dropped: our own timeout, or a 503 from a dependency. */
  readonly drops: number;
  /** Whether an acquire found every slot taken during the window (demand reached the limit). */
  readonly saturated: boolean;
}

/**
 * One adaptive limit algorithm (Gradient2, Vegas, AIMD): turns a window's measurements into the
 * next limit estimate. Stateful (baselines, probes); the controller clamps what it returns.
 */
export interface LimitAlgorithm {
  /** The next estimate (a real number) after `window`, given the current `estimate`. */
  update(window: WindowSample, estimate: number): number;
}

/** `max(1, ⌊log10 n⌋)`: the step of Vegas and of the controller's gradual decreases (Netflix Log10RootIntFunction). */
export function log10Step(n: number): number {
  return Math.max(1, Math.floor(Math.log10(Math.max(1, n))));
}
