import type { OptionReader } from '../options/option-reader';
import { isMeterProvider } from './meter-provider';
import type { GuardMeterProvider } from './meter-provider';

/**
 * Reads a factory's `meterProvider` option: the provider given, else `inherited` (what `guard()`
 * passes its sections), else `undefined` for the global MeterProvider.
 */
export function readMeterProvider(
  read: OptionReader<string>,
  inherited?: GuardMeterProvider,
): GuardMeterProvider | undefined {
  const value = read.raw('meterProvider');
  if (value === undefined) return inherited;
  if (!isMeterProvider(value))
    read.fail('meterProvider', 'an OpenTelemetry MeterProvider (an object with getMeter)', value);
  return value;
}

/** How a section's builder learns where to record: from `guard()`, or from its own options. */
export interface SectionTelemetryOptions {
  /** `guard()`'s `meterProvider`, which a section without its own uses. */
  meterProvider?: GuardMeterProvider | undefined;
  /**
   * True inside `guard()`: its admission counts the allowed request once, so the section counts
   * only its refusals. A stand-alone section middleware counts both.
   */
  insideGuard?: boolean | undefined;
}
