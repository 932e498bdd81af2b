import { optionReader } from '../options/option-reader';
import type { GuardMeterProvider } from '../telemetry/meter-provider';
import { readMeterProvider } from '../telemetry/meter-provider-option';

/** Options of `timeout()` / `guard({ timeout })`. */
export interface RequestTimeoutOptions {
  /** Deadline of a request from its admission (after any concurrency queue wait), in milliseconds. Default `30000`. */
  ms?: number;
  /** Where `timeout()` records its metrics (an OpenTelemetry MeterProvider). Default: the global one. */
  meterProvider?: GuardMeterProvider;
}

/** Resolved request-timeout options. */
export interface ResolvedRequestTimeoutOptions {
  readonly ms: number;
  readonly meterProvider: GuardMeterProvider | undefined;
}

/** Checks and completes request-timeout options. */
export function resolveRequestTimeoutOptions(
  factory: string,
  options: unknown,
  pathPrefix = '',
): ResolvedRequestTimeoutOptions {
  const read = optionReader(factory, options, ['ms', 'meterProvider'], pathPrefix);
  const ms = read.timerMs('ms', 30_000);
  return Object.freeze({ ms, meterProvider: readMeterProvider(read) });
}
