import type { Clock } from '../../src/timers/clock';

/** A clock for unit tests: time moves only by `advance(ms)`, which runs the timers that fall due. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  /** Timers armed and not yet fired or cleared. */
  readonly pendingTimers: number;
}

export function createManualClock(): ManualClock {
  let now = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; run: () => void }>();
  return {
    now: () => now,
    setTimeout(run, ms) {
      const id = ++seq;
      timers.set(id, { at: now + ms, run });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        let next: [number, { at: number; run: () => void }] | undefined;
        for (const entry of timers)
          if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
        if (!next) break;
        timers.delete(next[0]);
        now = next[1].at;
        next[1].run();
      }
      now = end;
    },
    get pendingTimers() {
      return timers.size;
    },
  };
}
