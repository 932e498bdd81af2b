// Lua scripts of the Redis-shared circuit breaker state. One hash per breaker name (one key per
// script, so every script runs on one Cluster node and needs no hash tag):
//   openUntil  – epoch ms (Redis clock) until which the breaker is open; absent = closed
//   owner      – the instance holding the half-open trial lease
//   token      – that lease's token: an instance only uses (and closes with) a lease it was told of
//   leaseUntil – epoch ms at which that lease lapses (a crashed trial holder cannot block the others)
//   trials     – trial calls granted under the current lease
// Every script reads the Redis server's clock (TIME), so instances with skewed clocks agree.

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * KEYS[1] = hash; ARGV = instanceId, halfOpenMaxCalls, leaseMs, heldToken ('' for none),
 * candidateToken (the token a new lease gets; the same for every admission still in flight).
 * Returns {0, 0} closed · {1, msLeft} open · {2, 0, token} trial granted under lease `token` ·
 * {4, msLeft} the trial is taken (by another instance, or all of this one's trials are running).
 * A lease owned by this instance under a token that is neither held nor in flight was granted by an
 * admission whose answer came after its timeout (the instance decided alone meanwhile): it is void,
 * and replaced (issue 12 #11).
 */
export const ADMIT_SCRIPT = `${NOW}
local openUntil = redis.call('HGET', KEYS[1], 'openUntil')
if not openUntil then return {0, 0} end
openUntil = tonumber(openUntil)
if now < openUntil then return {1, openUntil - now} end
local lease = redis.call('HMGET', KEYS[1], 'owner', 'token', 'leaseUntil', 'trials')
local owner, token = lease[1], lease[2]
local leaseUntil = tonumber(lease[3] or '0')
local trials = tonumber(lease[4] or '0')
if (not owner) or now >= leaseUntil or (owner == ARGV[1] and token ~= ARGV[4] and token ~= ARGV[5]) then
  owner = ARGV[1]
  token = ARGV[5]
  trials = 0
  leaseUntil = now + tonumber(ARGV[3])
end
if owner == ARGV[1] and trials < tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'owner', owner, 'token', token, 'trials', trials + 1, 'leaseUntil', leaseUntil)
  return {2, 0, token}
end
return {4, math.max(leaseUntil - now, 1)}
`;

/** KEYS[1] = hash; ARGV = resetTimeoutMs. Opens the shared state for everyone; returns the ms it stays open. */
export const OPEN_SCRIPT = `${NOW}
redis.call('HDEL', KEYS[1], 'owner', 'token', 'leaseUntil', 'trials')
redis.call('HSET', KEYS[1], 'openUntil', now + tonumber(ARGV[1]))
return tonumber(ARGV[1])
`;

/**
 * KEYS[1] = hash; ARGV = lease token. Closes the shared state, but only under the lease whose trial
 * succeeded: a late success from an old lease must not close a breaker another instance re-opened.
 */
export const CLOSE_SCRIPT = `
if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;

/**
 * KEYS[1] = hash; ARGV = lease token. Gives back a lease its instance will not use (it was granted
 * by an admission that answered too late), so another instance can run the trial at once.
 */
export const RELEASE_SCRIPT = `
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'owner', 'token', 'leaseUntil', 'trials')
  return 1
end
return 0
`;
