import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { EventLoopUtilization, IntervalHistogram } from 'node:perf_hooks';
import type { LoadMeasurement } from './shed-controller';

/** The histogram's own timer period, in milliseconds; subtracted so an idle loop reads ~0. */
export const EVENT_LOOP_RESOLUTION_MS = 10;

/** Measures this process: event-loop delay and utilization since the last call, heap and RSS now. */
export interface ProcessProbe {
  measure(): LoadMeasurement;
  /** Stops the event-loop histogram. */
  stop(): void;
}

/**
 * Starts the event-loop delay histogram (perf_hooks `monitorEventLoopDelay`, a libuv timer every
 * 10 ms: nothing runs per request) and returns a probe reading it. The histogram records the time
 * between two of its timer's runs, so a loop busy for 80 ms records one 80 ms value: its mean minus
 * the period is how late an event waits for the loop, the queueing delay of a request.
 */
export function createProcessProbe(): ProcessProbe {
  const histogram: IntervalHistogram = monitorEventLoopDelay({
    resolution: EVENT_LOOP_RESOLUTION_MS,
  });
  histogram.enable();
  let lastElu: EventLoopUtilization | undefined;
  let lastAt = performance.now();
  // Never reset: a reset also forgets the histogram's previous tick, so the first tick after it
  // records nothing. Under overload each loop iteration outlasts the sampling period, there is one
  // tick per sample, and a resetting probe would read no delay at all exactly when it matters. The
  // interval's mean comes from the running count and total instead.
  let lastCount = 0;
  let lastTotalNs = 0;
  return {
    measure() {
      const count = histogram.count;
      const totalNs = count > 0 ? histogram.mean * count : 0;
      const ticks = count - lastCount;
      const meanNs = ticks > 0 ? (totalNs - lastTotalNs) / ticks : NaN;
      lastCount = count;
      lastTotalNs = totalNs;
      const now = performance.now();
      const intervalMs = now - lastAt;
      lastAt = now;
      // The first sample (at construction) covers no interval: its loop figures would be noise.
      const isFirst = lastElu === undefined;
      const elu = lastElu ? performance.eventLoopUtilization(lastElu).utilization : 0;
      lastElu = performance.eventLoopUtilization();
      const memory = process.memoryUsage();
      return {
        eventLoopDelayMs: Number.isFinite(meanNs)
          ? Math.max(0, meanNs / 1e6 - EVENT_LOOP_RESOLUTION_MS)
          : // No tick in the whole interval: the loop was blocked for (nearly) all of it.
            isFirst
            ? 0
            : Math.max(0, intervalMs - EVENT_LOOP_RESOLUTION_MS),
        eventLoopUtilization: elu,
        heapUsedBytes: memory.heapUsed,
        rssBytes: memory.rss,
        intervalMs,
      };
    },
    stop: () => histogram.disable(),
  };
}
