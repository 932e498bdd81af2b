import type { WindowSample } from './limit-algorithm';

/** How long a sampling window lasts and how many samples it needs. */
export interface SampleWindowOptions {
  /** Shortest window, in milliseconds. */
  readonly minMs: number;
  /** Longest window, in milliseconds; between the two a window lasts twice the shortest RTT seen. */
  readonly maxMs: number;
  /** Samples a window needs before it closes. */
  readonly minSamples: number;
}

/** Round trips shorter than this (0.1 ms) say nothing about queueing and are ignored (Netflix WindowedLimit). */
const MIN_RTT_MS = 0.1;

/**
 * Collects round-trip samples into windows (Netflix `WindowedLimit` with an average sample window):
 * a window closes once it lasted `clamp(2 × its shortest RTT, minMs, maxMs)` and holds `minSamples`
 * samples. Unlike Netflix, a window short of samples is extended rather than thrown away, so a
 * limiter at a low limit with slow requests still gets updates (go-concurrency-limits#117: a limit
 * stuck at its minimum after load subsides).
 */
export class SampleWindow {
  private sumRttMs = 0;
  private sumSquaredRttMs = 0;
  private sumInflight = 0;
  private successes = 0;
  private drops = 0;
  private minRttMs = Infinity;
  private maxInflight = 0;
  private saturated = false;
  /** When the current window may close; `-Infinity` until the first sample opens one. */
  private endsAt = -Infinity;

  constructor(private readonly options: SampleWindowOptions) {}

  /** Notes that an acquire found every slot taken. */
  markSaturated(): void {
    this.saturated = true;
  }

  /**
   * Adds one finished operation (`rttMs` from admission to its end, `inflight` when it started) and
   * returns the window it closed, if it closed one.
   */
  add(nowMs: number, rttMs: number, inflight: number, didDrop: boolean): WindowSample | undefined {
    if (didDrop) this.drops++;
    else if (rttMs >= MIN_RTT_MS) {
      this.successes++;
      this.sumRttMs += rttMs;
      this.sumSquaredRttMs += rttMs * rttMs;
      this.sumInflight += inflight;
      if (rttMs < this.minRttMs) this.minRttMs = rttMs;
    } else return undefined;
    if (inflight > this.maxInflight) this.maxInflight = inflight;
    if (this.endsAt === -Infinity) this.endsAt = nowMs + this.options.minMs;
    if (nowMs < this.endsAt || this.successes + this.drops < this.options.minSamples)
      return undefined;
    return this.close(nowMs);
  }

  private close(nowMs: number): WindowSample {
    const { minMs, maxMs } = this.options;
    const n = this.successes;
    const mean = n > 0 ? this.sumRttMs / n : 0;
    const variance = n > 1 ? Math.max(0, (this.sumSquaredRttMs - n * mean * mean) / (n - 1)) : 0;
    const hasRtt = n > 0;
    const window: WindowSample = {
      rttMs: mean,
      rttStdErrMs: n > 0 ? Math.sqrt(variance / n) : 0,
      minRttMs: hasRtt ? this.minRttMs : 0,
      maxInflight: this.maxInflight,
      meanInflight: hasRtt ? this.sumInflight / this.successes : 0,
      successes: this.successes,
      drops: this.drops,
      saturated: this.saturated,
    };
    this.endsAt = nowMs + Math.min(Math.max(2 * window.minRttMs, minMs), maxMs);
    this.sumRttMs = 0;
    this.sumSquaredRttMs = 0;
    this.sumInflight = 0;
    this.successes = 0;
    this.drops = 0;
    this.minRttMs = Infinity;
    this.maxInflight = 0;
    this.saturated = false;
    return window;
  }
}
