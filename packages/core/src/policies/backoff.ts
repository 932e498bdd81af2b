/** How a delay is randomised so that a crowd of clients does not retry in step. */
export type Jitter = 'full' | 'equal' | 'none';

/** The resolved inputs of an exponential backoff. */
export interface BackoffOptions {
  /** Delay before the first retry, in milliseconds (before jitter). */
  baseDelayMs: number;
  /** Cap of any delay, in milliseconds. */
  maxDelayMs: number;
  /** Jitter mode; see `Jitter`. */
  jitter: Jitter;
}

/**
 * The delay before retry number `retry` (1 = the first retry), in milliseconds:
 * `ceiling = min(maxDelayMs, baseDelayMs × 2^(retry−1))`, then
 * - `none`: `ceiling`;
 * - `full`: uniform in `[0, ceiling]` (AWS "full jitter": best spread);
 * - `equal`: uniform in `[ceiling/2, ceiling]` (keeps a floor under each wait).
 * `random` is injectable for tests and defaults to `Math.random`.
 */
export function backoffDelayMs(
  retry: number,
  { baseDelayMs, maxDelayMs, jitter }: BackoffOptions,
  random: () => number = Math.random,
): number {
  // 2 ** 1100 is Infinity, which Math.min turns back into the cap; no overflow to guard against.
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1));
  switch (jitter) {
    case 'none':
      return ceiling;
    case 'full':
      return Math.round(random() * ceiling);
    case 'equal':
      return Math.round(ceiling / 2 + random() * (ceiling / 2));
  }
}
