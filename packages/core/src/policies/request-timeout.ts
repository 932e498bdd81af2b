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
  const ms = read.timerMs('ms', 30_000);
  return Object.freeze({ ms });
}
