// GET /health: what an operator (or a load balancer) wants to see — the load-shedding figures, the
// breaker states and whether rate limits are counted in memory or in Redis.
export function healthReport(protection, audit) {
  const { loadShedding, concurrency, rateLimit } = protection.status();
  return {
    status: loadShedding?.overloaded ? 'overloaded' : 'ok',
    loadShedding,
    concurrency,
    rateLimit,
    breakers: { 'audit-log': audit.breaker.state },
  };
}
