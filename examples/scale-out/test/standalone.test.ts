import { startStandalone } from '../redis-topology.mjs';
import type { Topology } from '../redis-topology.mjs';
import {
  LIMIT,
  checkBreakerPropagation,
  checkExactOneKey,
  checkFailover,
  deploy,
  describeWithRedisServer,
  report,
  undeploy,
} from './scale-checks';
import type { Deployment } from './scale-checks';

describeWithRedisServer('scale-out on one redis-server: 4 app processes (2 Express, 2 Koa)', () => {
  let redis: Topology | undefined;
  let deployment: Deployment;

  beforeAll(async () => {
    redis = await startStandalone();
    deployment = await deploy(redis);
  }, 60_000);
  afterAll(() => undeploy({ ...deployment, redis }), 30_000);

  it(`shares one limit exactly: 200 concurrent requests → ${LIMIT} × 200 and ${200 - LIMIT} × 429, every instance serving some`, async () => {
    const figures = await checkExactOneKey(deployment, 'one-key');
    report('standalone', 'exactness', figures);
  });

  it('shares the breaker: opened by a failure on A, B refuses with 503; closed by A, B takes calls again (100 trips)', async () => {
    const figures = await checkBreakerPropagation(deployment, 100);
    report('standalone', 'breaker', figures);
    expect(figures.trips).toBe(100);
  }, 60_000);

  it('keeps limiting with no 500 while Redis is killed under load, and shares the limit again once it is back', async () => {
    const node = deployment.redis.nodes[0];
    if (!node) throw new Error('no node');
    const figures = await checkFailover(deployment, {
      perSecond: 300,
      outageKey: 'during-outage',
      freshKey: (attempt) => `after-restart-${attempt}`,
      fail: () => deployment.redis.kill(node),
      recover: () => deployment.redis.restart(node),
    });
    report('standalone', 'failover', figures);
    // Redis is down for good meanwhile, so every instance limits alone: each allows exactly LIMIT
    // of the burst requests it got (the balancer shares them out with the steady load's).
    for (const { name } of deployment.fleet.instances)
      expect(figures.outageAllowedBy[name] ?? 0).toBe(
        Math.min(LIMIT, figures.outageServedBy[name] ?? 0),
      );
    expect(figures.statuses[500]).toBeUndefined();
  }, 90_000);
});
