import type { LoadShedder } from '../policies/load-shedder';
import { loadSheddingChannel } from './channels';
import type { LoadSheddingMessage } from './channels';
import type { Telemetry } from './telemetry';

/**
 * How hard the process presses on its load limits (`LoadFigures.pressure`): the highest of the
 * event-loop delay over its target, heap and RSS over their limits (1 = at one).
 */
export function pressureOf(shedder: LoadShedder): number {
  return shedder.figures.pressure;
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
