// Lua scripts of the Redis-shared circuit breaker state. One hash per breaker name:
//   openUntil  – epoch ms (Redis clock) until which the breaker is open; absent = closed
//   owner      – the instance holding the half-open trial lease
//   leaseUntil – epoch ms at which that lease lapses (a crashed trial holder cannot block the others)
//   trials     – trial calls granted under the current lease
// Every script reads the Redis server's clock (TIME), so instances with skewed clocks agree.

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * KEYS[1] = hash; ARGV = instanceId, halfOpenMaxCalls, leaseMs.
 * Returns {0, 0} closed · {1, msLeft} open · {2, 0} trial granted · {4, msLeft} another instance holds the trial.
 */
export const ADMIT_SCRIPT = `${NOW}
local openUntil = redis.call('HGET', KEYS[1], 'openUntil')
if not openUntil then return {0, 0} end
openUntil = tonumber(openUntil)
if now < openUntil then return {1, openUntil - now} end
local owner = redis.call('HGET', KEYS[1], 'owner')
local leaseUntil = tonumber(redis.call('HGET', KEYS[1], 'leaseUntil') or '0')
local trials = tonumber(redis.call('HGET', KEYS[1], 'trials') or '0')
if (not owner) or now >= leaseUntil then
  owner = ARGV[1]
  trials = 0
  leaseUntil = now + tonumber(ARGV[3])
end
if owner == ARGV[1] and trials < tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'owner', owner, 'trials', trials + 1, 'leaseUntil', leaseUntil)
  return {2, 0}
end
return {4, math.max(leaseUntil - now, 1)}
`;

/** KEYS[1] = hash; ARGV = resetTimeoutMs. Opens the shared state for everyone; returns the ms it stays open. */
export const OPEN_SCRIPT = `${NOW}
redis.call('HDEL', KEYS[1], 'owner', 'leaseUntil', 'trials')
redis.call('HSET', KEYS[1], 'openUntil', now + tonumber(ARGV[1]))
return tonumber(ARGV[1])
`;

/**
 * KEYS[1] = hash; ARGV = instanceId. Closes the shared state, but only for the instance whose trial
 * succeeded: a late success from an old lease must not close a breaker another instance re-opened.
 */
export const CLOSE_SCRIPT = `
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;
