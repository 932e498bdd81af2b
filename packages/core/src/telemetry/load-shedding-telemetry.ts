import type { LoadShedder } from '../policies/load-shedder';
import { loadSheddingChannel } from './channels';
import type { LoadSheddingMessage } from './channels';
import type { Telemetry } from './telemetry';

/**
 * How close the process is to shedding: the highest of event-loop delay, event-loop utilization,
 * heap and RSS over their limits (1 = at a limit). A shedder that computes its own `pressure`
 * (the graded shedder) is read as it is.
 */
export function pressureOf(shedder: LoadShedder): number {
  const own = (shedder as { pressure?: unknown }).pressure;
  if (typeof own === 'number') return own;
  const { figures, options } = shedder;
  return Math.max(
    figures.eventLoopDelayMs / options.maxEventLoopDelayMs,
    figures.eventLoopUtilization / options.maxEventLoopUtilization,
    figures.heapUsedBytes / options.maxHeapUsedBytes,
    figures.rssBytes / options.maxRssBytes,
  );
}

/** Registers `guard.load_shedding.pressure` and `guard.load_shedding.event_loop.delay` (seconds). */
export function observeShedder(telemetry: Telemetry, shedder: LoadShedder): void {
  telemetry.observe('sheddingPressure', shedder, pressureOf);
  telemetry.observe('eventLoopDelay', shedder, (s) => s.figures.eventLoopDelayMs / 1000);
}

/** Publishes on `guard:load-shedding` that shedding started or stopped (call it on a change only). */
export function publishShedding(pressure: number, shedding: boolean): void {
  if (!loadSheddingChannel.hasSubscribers) return;
  const message: LoadSheddingMessage = { pressure, shedding };
  loadSheddingChannel.publish(message);
}
