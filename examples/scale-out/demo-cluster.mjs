// npm run demo:cluster [-- --cluster]: the upload service as several instances sharing one Redis.
// Starts a Redis from the installed redis-server (one server, or with --cluster a 3-primary Cluster),
// 3 instances of examples/upload-service (2 Express, 1 Koa) and a round-robin balancer, and prints
// the URL. Every answer names its instance (X-Instance, and /health), and /health shows what is
// shared: rate limits and breaker state in Redis, while load shedding and the concurrency limit stay
// per process. Ctrl-C stops everything it started. PORT (default 3000) is the balancer's port.
import { fileURLToPath } from 'node:url';
import { startBalancer } from './balancer.mjs';
import { startInstance } from './fleet.mjs';
import { makeTempDir, removeDir } from './process-registry.mjs';
import { startCluster, startStandalone } from './redis-topology.mjs';

const SERVICE = fileURLToPath(new URL('../upload-service/server.mjs', import.meta.url));
const useCluster = process.argv.includes('--cluster');
const port = Number(process.env.PORT ?? 3000);
const frameworks = ['express', 'koa', 'express'];

const started = { redis: undefined, instances: [], balancer: undefined, dataDir: undefined };
let stopping = false;

async function stop(code) {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping the balancer, the instances and Redis…');
  await started.balancer?.close();
  await Promise.all(started.instances.map((instance) => instance.stop()));
  await started.redis?.stop();
  if (started.dataDir) removeDir(started.dataDir);
  process.exit(code);
}
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

try {
  started.redis = useCluster ? await startCluster({ primaries: 3 }) : await startStandalone();
  const { connection } = started.redis;
  const redisEnv =
    connection.kind === 'cluster'
      ? { REDIS_CLUSTER: connection.nodes.map((node) => `${node.host}:${node.port}`).join(',') }
      : { REDIS_URL: `redis://${connection.host}:${connection.port}` };
  console.log(
    connection.kind === 'cluster'
      ? `Redis Cluster: ${redisEnv.REDIS_CLUSTER}`
      : `Redis: ${redisEnv.REDIS_URL}`,
  );
  // One folder for all instances, as a shared volume would be: a file stored through one
  // instance can be downloaded through another.
  started.dataDir = makeTempDir('demo-data');
  started.instances = await Promise.all(
    frameworks.map((framework, i) =>
      startInstance(SERVICE, {
        name: `upload-${i + 1}`,
        env: {
          ...redisEnv,
          FRAMEWORK: framework,
          INSTANCE_ID: `upload-${i + 1}`,
          DATA_DIR: started.dataDir,
          HOST: '127.0.0.1',
        },
        // The store switches (Redis lost, Redis back) are worth seeing; the rest stays quiet.
        onLog: (entry) => {
          if (String(entry.code ?? '').startsWith('WARN_GUARD_'))
            console.log(`[upload-${i + 1}] ${entry.level}: ${entry.message}`);
        },
      }),
    ),
  );
  for (const [i, instance] of started.instances.entries())
    console.log(`instance upload-${i + 1} (${frameworks[i]}): ${instance.url}`);
  started.balancer = await startBalancer(
    started.instances.map((instance) => instance.url),
    { port },
  );
  console.log(
    `\nupload service (3 instances, one ${useCluster ? 'Redis Cluster' : 'Redis'}) on ${started.balancer.url}`,
  );
  console.log(`  health of whichever instance answers: ${started.balancer.url}/health`);
  console.log('  Ctrl-C stops everything');
} catch (error) {
  console.error(
    error?.code === 'EADDRINUSE'
      ? `port ${port} is in use: set PORT to another port (PORT=0 picks a free one)`
      : `demo:cluster could not start: ${error?.message ?? error}`,
  );
  await stop(1);
}
