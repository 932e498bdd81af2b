import { optionReader } from '../options/option-reader';

/** Options of `timeout()` / `guard({ timeout })`. */
export interface RequestTimeoutOptions {
  /** Deadline of a request from its admission (after any concurrency queue wait), in milliseconds. Default `30000`. */
  ms?: number;
}

/** Resolved request-timeout options. */
export type ResolvedRequestTimeoutOptions = Readonly<Required<RequestTimeoutOptions>>;

/** Checks and completes request-timeout options. */
export function resolveRequestTimeoutOptions(
  factory: string,
  options: unknown,
  pathPrefix = '',
): ResolvedRequestTimeoutOptions {
  const read = optionReader(factory, options, ['ms'], pathPrefix);
  // setTimeout clamps anything over 2^31-1 ms to 1 ms, which would time every request out at once.
  const ms = read.positiveInteger('ms', 30_000, 'milliseconds');
  if (ms > 2_147_483_647) read.fail('ms', 'at most 2147483647 (milliseconds)', ms);
  return Object.freeze({ ms });
}
