/**
 * Time as the overload controls read it: a monotonic `now()` and one-shot timers. The system clock
 * is `performance.now()` and unref'd `setTimeout`; the overload simulator in core's tests passes a
 * discrete-event clock instead, so the real limiter and queue run on simulated time.
 */
export interface Clock {
  /** Monotonic milliseconds (any origin). */
  now(): number;
  /** Calls `callback` once after `ms` milliseconds; the handle cancels it. Must not keep the process alive. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a timer from `setTimeout` (a handle that already fired is ignored). */
  clearTimeout(handle: unknown): void;
}

/** `performance.now()` and unref'd timers. */
export const systemClock: Clock = Object.freeze({
  now: () => performance.now(),
  setTimeout(callback: () => void, ms: number): unknown {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return timer;
  },
  clearTimeout(handle: unknown): void {
    clearTimeout(handle as NodeJS.Timeout);
  },
});
