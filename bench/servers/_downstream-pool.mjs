// The downstream of the I/O-bound service model in bench/overload.mjs: a pool of `slots` connections
// (a database pool, say), each call holding one for `holdMs` of timer time. Waiters queue FIFO
// without bound, as pg's and mysql2's pools do by default; a waiter whose signal aborts (client
// gone, request timed out) leaves the queue at once, so nobody holds a place for a dead request.
import { setTimeout as sleep } from 'node:timers/promises';

/** A FIFO pool of `slots` slots; `call(signal)` waits for one, holds it `holdMs`, gives it back. */
export function createDownstreamPool({ slots, holdMs }) {
  let free = slots;
  // Waiters in arrival order; an aborted one is marked and skipped (O(1) removal from a FIFO).
  let queue = [];
  let head = 0;
  let waiting = 0;
  const counts = { calls: 0, abortedWaits: 0, maxWaiting: 0 };

  const release = () => {
    while (head < queue.length) {
      const waiter = queue[head];
      queue[head++] = undefined;
      if (waiter.cancelled) continue;
      waiting--;
      waiter.resolve();
      return;
    }
    free++;
    if (head > 4096) {
      queue = queue.slice(head);
      head = 0;
    }
  };

  const acquire = (signal) => {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (free > 0) {
      free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = { cancelled: false, resolve: undefined };
      const onAbort = () => {
        waiter.cancelled = true;
        waiting--;
        counts.abortedWaits++;
        reject(signal.reason);
      };
      waiter.resolve = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(waiter);
      waiting++;
      if (waiting > counts.maxWaiting) counts.maxWaiting = waiting;
    });
  };

  return {
    /** Waits for a slot (leaving the queue if `signal` aborts), then holds it `holdMs`. */
    async call(signal) {
      await acquire(signal);
      counts.calls++;
      try {
        // The downstream does its work whether or not the caller is still there.
        await sleep(holdMs);
      } finally {
        release();
      }
    },
    /** Calls made, waits given up, the longest queue seen, and the live counts. */
    stats: () => ({ ...counts, busy: slots - free, waiting }),
  };
}
