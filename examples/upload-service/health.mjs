// GET /health: what an operator (or a load balancer) wants to see — the load-shedding figures, the
// breaker states and whether rate limits are counted in memory or in Redis. With several instances
// (npm run demo:cluster) it also names the instance that answered, and what they share: rate limits
// and breaker state in Redis; load shedding and the concurrency limit stay per process.
export function healthReport(protection, audit, config = {}) {
  const { loadShedding, concurrency, rateLimit } = protection.status();
  return {
    status: loadShedding?.overloaded ? 'overloaded' : 'ok',
    ...(config.instance ? { instance: config.instance } : {}),
    loadShedding,
    concurrency,
    rateLimit,
    breakers: { 'audit-log': audit.breaker.state },
    shared: {
      rateLimits: rateLimit?.mode ?? 'memory',
      breakerState: config.breakerStore ? 'redis' : 'per process',
      loadSheddingAndConcurrency: 'per process',
    },
  };
}
