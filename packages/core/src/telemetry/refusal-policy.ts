import { ErrorCodes } from '../errors/codes';
import type { RejectionPolicy } from './rejection';

const POLICIES: ReadonlyMap<string, RejectionPolicy> = new Map<string, RejectionPolicy>([
  [ErrorCodes.OVERLOADED, 'load_shedding'],
  [ErrorCodes.RATE_LIMITED, 'rate_limit'],
  [ErrorCodes.BUSY, 'concurrency'],
  [ErrorCodes.TIMEOUT, 'timeout'],
  [ErrorCodes.CIRCUIT_OPEN, 'circuit_breaker'],
  [ErrorCodes.RESOURCE_LIMIT, 'isolated_pool'],
]);

/**
 * The policy behind a refusal, from its error code: `ERR_GUARD_OVERLOADED` is load shedding,
 * `ERR_GUARD_BUSY` the concurrency limit, and so on (a brute-force 429 carries the rate limit's
 * code, so it counts as `rate_limit`). `undefined` for a code no policy refuses with.
 */
export function refusalPolicyOf(code: string): RejectionPolicy | undefined {
  return POLICIES.get(code);
}
