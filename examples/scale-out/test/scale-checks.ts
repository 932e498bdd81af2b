// The checks every topology goes through (issue 13): 4 app processes (2 Express, 2 Koa), each with
// its own ioredis client, behind a round-robin balancer. Each check asserts; the figures it measured
// are returned, and appended as a JSON line to $SCALE_OUT_REPORT when that is set (docs/scale-out.md).
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { keySlot } from '../../../packages/core/src/stores/redis-key-slot';
import { startBalancer } from '../balancer.mjs';
import type { Balancer } from '../balancer.mjs';
import { startFleet } from '../fleet.mjs';
import type { Fleet, Instance } from '../fleet.mjs';
import { redisCli, waitUntil } from '../redis-topology.mjs';
import type { Topology } from '../redis-topology.mjs';

/** Requests allowed per key and minute by the fleet app's "exact" policy. */
export const LIMIT = 50;
/** How long the fleet app's breaker stays open (its resetTimeoutMs). */
const BREAKER_RESET_MS = 100;

/** A running deployment: Redis, the fleet, the balancer and the key prefix of this deployment. */
export interface Deployment {
  redis: Topology;
  fleet: Fleet;
  balancer: Balancer;
  prefix: string;
}

/** Starts the fleet and the balancer on a started topology; `undeploy` stops all of it. */
export async function deploy(redis: Topology): Promise<Deployment> {
  const prefix = `guard-scale-test:${randomUUID()}:`;
  const fleet = await startFleet({
    connection: redis.connection,
    prefix,
    // A generous Redis timeout: on a busy 2-core CI machine a healthy Redis must not look down.
    env: {
      LIMIT: String(LIMIT),
      BREAKER_RESET_MS: String(BREAKER_RESET_MS),
      STORE_TIMEOUT_MS: '1000',
    },
  });
  const balancer = await startBalancer(fleet.instances.map((instance) => instance.url));
  return { redis, fleet, balancer, prefix };
}

/** Stops what `deploy` started, then the topology; each step runs even if one before it failed. */
export async function undeploy(deployment: {
  redis?: Topology | undefined;
  fleet?: Fleet | undefined;
  balancer?: Balancer | undefined;
}) {
  const steps = [
    () => {
      agent.destroy();
      return Promise.resolve();
    },
    () => deployment.balancer?.close(),
    () => deployment.fleet?.stop(),
    () => deployment.redis?.stop(),
  ];
  const errors: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw errors[0];
}

/** Appends measured figures to $SCALE_OUT_REPORT (JSON lines), for docs/scale-out.md. */
export function report(topology: string, check: string, figures: Record<string, unknown>) {
  const file = process.env.SCALE_OUT_REPORT;
  if (!file) return;
  const line = { date: new Date().toISOString(), topology, check, ...figures };
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}

/** The `p`-th percentile (0–100) of `values`, nearest rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? NaN;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

interface Answer {
  status: number;
  instance: string | null;
}

// One keep-alive agent for every request of the checks: a new connection per request would measure
// connection set-up, and exhaust ports under a steady load.
const agent = new Agent({ keepAlive: true, maxSockets: 512 });

/**
 * GET `url`; resolves with the status and the instance that answered. A request sent on an idle
 * keep-alive connection the server closed at that moment never reached it: it is sent once more,
 * as Node's documentation advises (`request.reusedSocket`).
 */
function get(url: string, mayRetry = true): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => {
        const instance = res.headers['x-instance'];
        resolve({
          status: res.statusCode ?? 0,
          instance: typeof instance === 'string' ? instance : null,
        });
      });
      res.on('error', reject);
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (mayRetry && req.reusedSocket && error.code === 'ECONNRESET')
        get(url, false).then(resolve, reject);
      else reject(error);
    });
    req.end();
  });
}

/** GET `url` and parse its JSON body. */
function getJson<T>(url: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body) as T);
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** `count` concurrent GETs of `path` through the balancer: statuses and who served them. */
export async function burst(deployment: Deployment, path: string, count: number) {
  const answers = await Promise.all(
    Array.from({ length: count }, () => get(`${deployment.balancer.url}${path}`)),
  );
  const statuses: Record<number, number> = {};
  const servedBy: Record<string, number> = {};
  const allowedBy: Record<string, number> = {};
  for (const { status, instance } of answers) {
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (!instance) continue;
    servedBy[instance] = (servedBy[instance] ?? 0) + 1;
    if (status === 200) allowedBy[instance] = (allowedBy[instance] ?? 0) + 1;
  }
  return { statuses, servedBy, allowedBy };
}

/** What every instance says about itself (GET /state, asked of each directly). */
export async function states(deployment: Deployment) {
  return Promise.all(
    deployment.fleet.instances.map((instance) =>
      getJson<{ instance: string; rateLimit: 'redis' | 'insurance' | 'memory'; breaker: string }>(
        `${instance.url}/state`,
      ),
    ),
  );
}

/** The Redis key the fleet app's rate limit writes for `key`. */
export const rateLimitKey = (deployment: Deployment, key: string) =>
  `${deployment.prefix}rl:exact:${key}`;

/**
 * Exactness: 200 concurrent requests for one key over the 4 instances give exactly LIMIT × 200 and
 * the rest 429, every instance having served some.
 */
export async function checkExactOneKey(deployment: Deployment, key: string) {
  const { statuses, servedBy } = await burst(deployment, `/limited?key=${key}`, 200);
  if (statuses[200] !== LIMIT || statuses[429] !== 200 - LIMIT)
    throw new Error(
      `one key: expected ${LIMIT} × 200 and ${200 - LIMIT} × 429, got ${JSON.stringify(statuses)}`,
    );
  const instances = deployment.fleet.instances.map((instance) => instance.name);
  if (!instances.every((name) => (servedBy[name] ?? 0) > 0))
    throw new Error(`every instance must serve some: ${JSON.stringify(servedBy)}`);
  return { statuses, servedBy };
}

/**
 * Exactness for each of `keys` in turn (keys on every Cluster primary): 200 concurrent requests give
 * exactly LIMIT × 200.
 */
export async function checkExactManyKeys(deployment: Deployment, keys: string[]) {
  const allowed: Record<string, number> = {};
  for (const key of keys) {
    const { statuses } = await burst(deployment, `/limited?key=${key}`, 200);
    allowed[key] = statuses[200] ?? 0;
    if ((statuses[200] ?? 0) + (statuses[429] ?? 0) !== 200)
      throw new Error(`key ${key}: ${JSON.stringify(statuses)}`);
  }
  const wrong = keys.filter((key) => allowed[key] !== LIMIT);
  if (wrong.length > 0)
    throw new Error(`keys not limited to exactly ${LIMIT}: ${JSON.stringify(allowed)}`);
  return { keys: keys.length, requests: keys.length * 200 };
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000) {
  await waitUntil(check, what, { timeoutMs, intervalMs: 1 });
}

/**
 * Breaker propagation, `trips` times: a failure on instance A opens the shared breaker; how long
 * until B refuses with 503 (from A's answer to B's first 503, B asked back to back); then, once A's
 * trial has succeeded after the reset time, how long until B answers 200 again. A trip where B's
 * first answer came only after the open time was over (a starved machine: B then runs the trial
 * itself) measures nothing and is done again, at most `trips` more times.
 */
export async function checkBreakerPropagation(deployment: Deployment, trips: number) {
  const [a, b] = deployment.fleet.instances as [Instance, Instance];
  const open: number[] = [];
  const close: number[] = [];
  let missed = 0;
  while (open.length < trips) {
    const failed = await get(`${a.url}/breaker?fail=1`);
    if (failed.status !== 502) throw new Error(`A's failing call answered ${failed.status}`);
    const opened = performance.now();
    let outcome: 'refused' | 'missed' = 'missed';
    await until(async () => {
      const { status } = await get(`${b.url}/breaker`);
      if (status === 503) outcome = 'refused';
      else if (performance.now() - opened < BREAKER_RESET_MS) return false;
      return true;
    }, 'B to refuse');
    const refusedAt = performance.now();
    // A runs the trial once the reset time is over; its success closes the breaker for everyone.
    await until(async () => (await get(`${a.url}/breaker`)).status === 200, "A's trial");
    const closed = performance.now();
    await until(async () => (await get(`${b.url}/breaker`)).status === 200, 'B to take calls');
    if (outcome === 'missed') {
      if (++missed > trips) throw new Error(`B never saw the breaker open in ${missed} trips`);
      continue;
    }
    open.push(refusedAt - opened);
    close.push(performance.now() - closed);
  }
  return {
    trips,
    missedTrips: missed,
    openP50Ms: round(percentile(open, 50)),
    openP99Ms: round(percentile(open, 99)),
    openMaxMs: round(Math.max(...open)),
    closeP50Ms: round(percentile(close, 50)),
    closeP99Ms: round(percentile(close, 99)),
    closeMaxMs: round(Math.max(...close)),
  };
}

/** A steady load through the balancer: `perSecond` GETs of `/limited?key=load-<n>` over 64 keys. */
export function steadyLoad(deployment: Deployment, perSecond: number) {
  const statuses: Record<number, number> = {};
  let sent = 0;
  let running = true;
  const inFlight = new Set<Promise<void>>();
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((perSecond * tickMs) / 1000));
  const loop = (async () => {
    let next = performance.now();
    while (running) {
      for (let i = 0; i < perTick; i++) {
        const n = sent++;
        const request = get(`${deployment.balancer.url}/limited?key=load-${n % 64}`).then(
          ({ status }) => {
            statuses[status] = (statuses[status] ?? 0) + 1;
          },
          () => {
            statuses[0] = (statuses[0] ?? 0) + 1; // no answer at all
          },
        );
        inFlight.add(request);
        void request.finally(() => inFlight.delete(request));
      }
      next += tickMs;
      await sleep(Math.max(0, next - performance.now()));
    }
  })();
  return {
    get sent() {
      return sent;
    },
    async stop() {
      running = false;
      await loop;
      await Promise.all(inFlight);
      return { sent, statuses };
    },
  };
}

/** Rate-limit switch lines among log entries, by code. */
function switches(logs: Record<string, unknown>[]) {
  const count = (code: string) => logs.filter((entry) => entry.code === code).length;
  return {
    unavailable: count('WARN_GUARD_RATE_LIMIT_STORE_UNAVAILABLE'),
    recovered: count('WARN_GUARD_RATE_LIMIT_STORE_RECOVERED'),
  };
}

/** A key (of the fleet's rate limit) whose Redis key hashes into one of `slots` ("a-b" ranges). */
export function keyInSlots(deployment: Deployment, slots: string[], label: string): string {
  const ranges = slots
    .filter((range) => !range.startsWith('['))
    .map((range) => range.split('-').map(Number) as [number, number?]);
  for (let i = 0; ; i++) {
    const key = `${label}-${i}`;
    const slot = keySlot(rateLimitKey(deployment, key));
    if (ranges.some(([from, to]) => slot >= from && slot <= (to ?? from))) return key;
  }
}

/**
 * Failover under a steady load of `perSecond` requests: `fail()` takes Redis (or a node) away,
 * `recover()` resolves once the replacement is up (a promotion, or a restart). Asserts 0 responses
 * 500 (and none missing), the insurance limiter limiting meanwhile (a burst of 400 on `outageKey`
 * gets at most LIMIT per instance, plus LIMIT more if the key's Redis came back during the burst),
 * shared limiting back after the recovery (a fresh key exact again, every instance on Redis), and
 * each switch logged once per instance. Returns the figures.
 */
export async function checkFailover(
  deployment: Deployment,
  options: {
    perSecond: number;
    outageKey: string;
    freshKey: (attempt: number) => string;
    fail: () => Promise<void>;
    recover: () => Promise<void>;
  },
) {
  const { instances } = deployment.fleet;
  const logsBefore = instances.map((instance) => instance.logs.length);
  const load = steadyLoad(deployment, options.perSecond);
  let stopped: Awaited<ReturnType<typeof load.stop>> | undefined;
  try {
    await until(() => load.sent >= options.perSecond / 2, 'the load to run', 10_000);
    const failedAt = performance.now();
    await options.fail();
    await until(
      async () => (await states(deployment)).every((state) => state.rateLimit === 'insurance'),
      'every instance to switch to its insurance limiter',
      15_000,
    );
    const onInsuranceAt = performance.now();
    const outage = await burst(deployment, `/limited?key=${options.outageKey}`, 400);
    if (
      (outage.statuses[200] ?? 0) > LIMIT * (instances.length + 1) ||
      (outage.statuses[500] ?? 0) > 0
    )
      throw new Error(`during the outage: ${JSON.stringify(outage.statuses)}`);
    await options.recover();
    const recoveredAt = performance.now();
    // Shared limiting is back when a fresh key is limited exactly again (tried every 100 ms)…
    let attempt = 0;
    let sharedAgainAt = 0;
    await until(
      async () => {
        const path = `/limited?key=${options.freshKey(attempt++)}`;
        const { statuses } = await burst(deployment, path, 200);
        if (statuses[200] !== LIMIT) {
          await sleep(100);
          return false;
        }
        sharedAgainAt = performance.now();
        return true;
      },
      'a fresh key to be limited exactly again',
      30_000,
    );
    // …and every instance reports Redis again.
    await until(
      async () => (await states(deployment)).every((state) => state.rateLimit === 'redis'),
      'every instance to report Redis again',
      30_000,
    );
    const allOnRedisAt = performance.now();
    stopped = await load.stop();
    const { sent, statuses } = stopped;
    if ((statuses[500] ?? 0) > 0 || (statuses[0] ?? 0) > 0 || deployment.balancer.errors > 0)
      throw new Error(
        `under load: ${JSON.stringify(statuses)}, balancer errors ${deployment.balancer.errors}`,
      );
    const logged = instances.map((instance, i) => ({
      instance: instance.name,
      ...switches(instance.logs.slice(logsBefore[i])),
    }));
    if (logged.some((entry) => entry.unavailable !== 1 || entry.recovered !== 1))
      throw new Error(`each switch must be logged once per instance: ${JSON.stringify(logged)}`);
    return {
      requests: sent,
      statuses,
      insuranceAfterMs: Math.round(onInsuranceAt - failedAt),
      outageBurst: outage.statuses,
      outageAllowedBy: outage.allowedBy,
      outageServedBy: outage.servedBy,
      recoveredAfterMs: Math.round(recoveredAt - failedAt),
      sharedAgainAfterRecoveryMs: Math.round(sharedAgainAt - recoveredAt),
      allOnRedisAfterRecoveryMs: Math.round(allOnRedisAt - recoveredAt),
    };
  } finally {
    // A check that failed half-way must not leave the load running (it would keep jest alive).
    if (!stopped) await load.stop();
  }
}

/** Calls of each command on a node since its last CONFIG RESETSTAT (INFO commandstats). */
export async function commandStats(port: number): Promise<Record<string, number>> {
  const text = await redisCli(port, ['INFO', 'commandstats']);
  const calls: Record<string, number> = {};
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    calls[match[1] as string] = Number(match[2]);
  return calls;
}

/** Commands that are the clients' own upkeep (slot tables, health), not requests' work. */
export const UPKEEP =
  /^(cluster|info|config|ping|command|client|hello|select|readonly|role|replconf|psync|sync)\b/;

const hasRedisBinaries = (() => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    execFileSync('redis-cli', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/**
 * `describe` for the scale-out proof: it starts its own Redis processes from the installed
 * redis-server and redis-cli. Without them it skips and says so, unless REQUIRE_REDIS=1 (CI), where
 * their absence fails the run.
 */
export const describeWithRedisServer: jest.Describe = (() => {
  if (hasRedisBinaries) return describe;
  if (process.env.REQUIRE_REDIS === '1')
    throw new Error('REQUIRE_REDIS=1 but redis-server or redis-cli is not installed');
  console.warn(
    '[skip] scale-out tests: redis-server and redis-cli are not installed (apt-get install redis-server redis-tools)',
  );
  return describe.skip;
})();
