import type { MetricAttributes } from './meter-provider';
import type { Telemetry } from './telemetry';

/** Which deadline passed: a request's, a policy's (`createTimeout`, a breaker's `timeoutMs`), a pool task's. */
export type TimeoutKind = 'request' | 'policy' | 'pool';

const TIMEOUT_ATTRIBUTES: Readonly<Record<TimeoutKind, MetricAttributes>> = Object.freeze({
  request: Object.freeze({ 'guard.policy': 'request' }),
  policy: Object.freeze({ 'guard.policy': 'policy' }),
  pool: Object.freeze({ 'guard.policy': 'pool' }),
});

/** Counts one passed deadline in `guard.timeouts`. */
export function countTimeout(telemetry: Telemetry, kind: TimeoutKind): void {
  if (telemetry.enabled) telemetry.instruments.timeouts.add(1, TIMEOUT_ATTRIBUTES[kind]);
}

/** How a wait for a concurrency slot ended. */
export type QueueOutcome = 'admitted' | 'timeout' | 'aborted' | 'displaced';

const QUEUE_ATTRIBUTES: Readonly<Record<QueueOutcome, MetricAttributes>> = Object.freeze({
  admitted: Object.freeze({ 'guard.result': 'admitted' }),
  timeout: Object.freeze({ 'guard.result': 'timeout' }),
  aborted: Object.freeze({ 'guard.result': 'aborted' }),
  displaced: Object.freeze({ 'guard.result': 'displaced' }),
});

/** Records one queue wait, in seconds, in `guard.concurrency.queue.duration`. */
export function recordQueueWait(
  telemetry: Telemetry,
  outcome: QueueOutcome,
  waitedMs: number,
): void {
  if (telemetry.enabled)
    telemetry.instruments.queueDuration.record(waitedMs / 1000, QUEUE_ATTRIBUTES[outcome]);
}
