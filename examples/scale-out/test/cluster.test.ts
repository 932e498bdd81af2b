import { keySlot } from '../../../packages/core/src/stores/redis-key-slot';
import { redisCli, startCluster, waitUntil } from '../redis-topology.mjs';
import type { ClusterNodeView, ClusterTopology } from '../redis-topology.mjs';
import {
  LIMIT,
  UPKEEP,
  burst,
  checkBreakerPropagation,
  checkExactManyKeys,
  checkExactOneKey,
  checkFailover,
  commandStats,
  deploy,
  describeWithRedisServer,
  keyInSlots,
  rateLimitKey,
  report,
  states,
  undeploy,
} from './scale-checks';
import type { Deployment } from './scale-checks';

describeWithRedisServer(
  'scale-out on a Redis Cluster (3 primaries, 1 replica each): 4 app processes (2 Express, 2 Koa)',
  () => {
    let redis: ClusterTopology | undefined;
    let deployment: Deployment;
    let primaries: ClusterNodeView[];

    beforeAll(async () => {
      redis = await startCluster({ primaries: 3, replicas: 1 });
      deployment = await deploy(redis);
      primaries = (await redis.view()).filter((node) => node.flags.includes('master'));
    }, 60_000);
    afterAll(() => undeploy({ ...deployment, redis }), 30_000);

    /** Two keys of the fleet's rate limit on each primary. */
    const keysOnEveryPrimary = (label: string) =>
      primaries.flatMap((primary, i) =>
        [0, 1].map((n) => keyInSlots(deployment, primary.slots, `${label}-${i}-${n}`)),
      );

    it(`shares one limit exactly: 200 concurrent requests → ${LIMIT} × 200 and ${200 - LIMIT} × 429, every instance serving some`, async () => {
      const figures = await checkExactOneKey(deployment, 'one-key');
      report('cluster', 'exactness', figures);
    });

    it('is exact for keys spread over every primary, whose keys spread over the slots (no hash tag around the prefix)', async () => {
      const keys = keysOnEveryPrimary('spread');
      const figures = await checkExactManyKeys(deployment, keys);
      // Each primary holds the keys of its slots: the prefix is not one hash tag (one hot slot).
      for (const primary of primaries) {
        const held = await redisCli(primary.port, [
          '--scan',
          '--pattern',
          `${deployment.prefix}rl:exact:spread-*`,
        ]);
        expect(held.split('\n').filter(Boolean).length).toBe(2);
      }
      const slots = new Set(keys.map((key) => keySlot(rateLimitKey(deployment, key))));
      expect(slots.size).toBe(keys.length);
      report('cluster', 'exactness over keys on every primary', { ...figures, slots: slots.size });
    });

    it('costs one Redis command per request, on the node of its key (INFO commandstats per primary)', async () => {
      const keys = keysOnEveryPrimary('trips');
      // Every instance has sent the script to every primary before counting (one EVAL each, once).
      await burst(deployment, `/limited?key=${keys.join(',')}`, 8);
      for (const key of keys) await burst(deployment, `/limited?key=${key}`, 8);
      await Promise.all(
        primaries.map((primary) => redisCli(primary.port, ['CONFIG', 'RESETSTAT'])),
      );
      let requests = 0;
      for (const key of keys) {
        await burst(deployment, `/limited?key=${key}`, 50);
        requests += 50;
      }
      const perNode = await Promise.all(primaries.map((primary) => commandStats(primary.port)));
      const work = perNode.map((calls) =>
        Object.fromEntries(Object.entries(calls).filter(([name]) => !UPKEEP.test(name))),
      );
      const total = (name: string) => work.reduce((sum, calls) => sum + (calls[name] ?? 0), 0);
      // One EVALSHA per request and nothing else sent. commandstats also counts what the script
      // runs inside Redis (SET NX, INCRBY, PTTL: one each per run), which are no round trips.
      const names = new Set(work.flatMap((calls) => Object.keys(calls)));
      expect([...names].sort()).toEqual(['evalsha', 'incrby', 'pttl', 'set']);
      for (const name of names) expect(total(name)).toBe(requests);
      // Each primary served the keys of its slots.
      for (const calls of work) expect(calls.evalsha).toBeGreaterThan(0);
      report('cluster', 'commands per request', {
        requests,
        perPrimary: work.map((calls, i) => ({ port: primaries[i]?.port, ...calls })),
      });
    });

    it('re-sends a script a node no longer has (NOSCRIPT after SCRIPT FLUSH): still exact, nobody on insurance', async () => {
      await Promise.all(primaries.map((primary) => redisCli(primary.port, ['SCRIPT', 'FLUSH'])));
      await checkExactManyKeys(deployment, keysOnEveryPrimary('flushed'));
      const [a] = deployment.fleet.instances;
      expect((await burst(deployment, '/breaker', 4)).statuses).toEqual({ 200: 4 });
      expect((await states(deployment)).map((state) => state.rateLimit)).toEqual([
        'redis',
        'redis',
        'redis',
        'redis',
      ]);
      expect(a?.logs.filter((entry) => String(entry.code).startsWith('WARN_GUARD_'))).toEqual([]);
    });

    it('shares the breaker: opened by a failure on A, B refuses with 503; closed by A, B takes calls again (100 trips)', async () => {
      const figures = await checkBreakerPropagation(deployment, 100);
      report('cluster', 'breaker', figures);
      expect(figures.trips).toBe(100);
    }, 60_000);

    it('keeps limiting with no 500 while a primary is killed under load, and shares the limit again once its replica is promoted', async () => {
      const topology = redis as ClusterTopology;
      const victim = primaries[0] as ClusterNodeView;
      const node = topology.nodes.find((candidate) => candidate.port === victim.port);
      const replica = (await topology.view()).find(
        (candidate) => candidate.primaryId === victim.id,
      );
      if (!node || !replica) throw new Error('no primary with a replica');
      const figures = await checkFailover(deployment, {
        perSecond: 300,
        // Keys of the killed primary's slots: the hardest case, they move to the promoted replica.
        outageKey: keyInSlots(deployment, victim.slots, 'during-outage'),
        freshKey: (attempt) => keyInSlots(deployment, victim.slots, `after-promotion-${attempt}`),
        fail: () => topology.kill(node),
        recover: async () => {
          await waitUntil(
            async () => {
              const view = await topology.view();
              const promoted = view.find((candidate) => candidate.id === replica.id);
              const info = await redisCli(replica.port, ['CLUSTER', 'INFO']);
              return (
                promoted?.flags.includes('master') === true && info.includes('cluster_state:ok')
              );
            },
            'the replica to be promoted',
            { timeoutMs: 30_000 },
          );
        },
      });
      report('cluster', 'failover', figures);
      expect(figures.statuses[500]).toBeUndefined();
    }, 90_000);
  },
);
