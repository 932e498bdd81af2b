// One ioredis client per app instance, from a topology's `connection` (redis-topology.mjs), with
// the settings docs/scale-out.md recommends: no offline queue (a command during an outage fails at
// once and the insurance limiter answers), short connect timeouts, reconnection that keeps trying.
import { Cluster, Redis } from 'ioredis';

/** Reconnect soon, then every half second: an outage is answered by the fallback meanwhile. */
const retry = (times) => Math.min(times * 50, 500);

/**
 * `{ kind: 'standalone', host, port }` → `Redis`; `{ kind: 'sentinel', sentinels, name }` → `Redis`
 * through Sentinel; `{ kind: 'cluster', nodes }` → `Cluster`. Errors are left to the events (the
 * suite logs the switches); `ready()` resolves once the client can take commands.
 */
export function createRedisClient(connection, extra = {}) {
  const common = {
    enableOfflineQueue: false,
    connectTimeout: 1000,
    maxRetriesPerRequest: 1,
    ...extra,
  };
  let client;
  if (connection.kind === 'cluster') {
    const { enableOfflineQueue, ...redisOptions } = common;
    client = new Cluster(connection.nodes, {
      enableOfflineQueue,
      redisOptions,
      clusterRetryStrategy: retry,
      slotsRefreshTimeout: 1000,
    });
  } else if (connection.kind === 'sentinel') {
    client = new Redis({
      ...common,
      sentinels: connection.sentinels,
      name: connection.name,
      retryStrategy: retry,
      sentinelRetryStrategy: retry,
    });
  } else {
    client = new Redis({
      ...common,
      host: connection.host,
      port: connection.port,
      retryStrategy: retry,
    });
  }
  client.on('error', () => {});
  return client;
}

/** Resolves when `client` is ready (at once if it is). */
export function ready(client) {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => client.once('ready', resolve));
}
