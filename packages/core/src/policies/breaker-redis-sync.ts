import { createHash, randomUUID } from 'node:crypto';
import { createDefaultLogger } from '../logging/default-logger';
import type { GuardLogger } from '../logging/default-logger';
import { WarningCodes } from '../logging/warning-codes';
import { optionReader } from '../options/option-reader';
import { hasRedisMethods } from '../stores/redis-client';
import type { RedisClient } from '../stores/redis-client';
import { createRedisFallback } from '../stores/redis-fallback';
import { redisServerOf } from '../stores/redis-key-slot';
import { ADMIT_SCRIPT, CLOSE_SCRIPT, OPEN_SCRIPT, RELEASE_SCRIPT } from './breaker-redis-scripts';

/** `store` option of `createCircuitBreaker`: share the breaker's state through Redis. */
export interface CircuitBreakerStoreOptions {
  /** An ioredis `Redis` (standalone or Sentinel) or `Cluster` client (ioredis is an optional peer dependency). */
  redis: RedisClient;
  /** Key prefix; the key is `prefix + name`. Default `'guard:breaker:'`. */
  prefix?: string;
  /** Longest wait for Redis before a call goes on with local state, in milliseconds. Default `200`. */
  timeoutMs?: number;
  /** While Redis fails, how often one call asks it again, in milliseconds. Default `1000`. */
  probeIntervalMs?: number;
  /** Where the one-time "Redis unavailable, using local state" warning goes. Default: the JSON stdout logger. */
  logger?: GuardLogger;
}

/** What the shared state says about one call. */
export const Admission = {
  Closed: 0,
  Open: 1,
  Trial: 2,
  /** Redis did not answer in time: the breaker decides alone. */
  Unavailable: 3,
  /** Half-open, and another instance holds the trial lease. */
  TrialElsewhere: 4,
} as const;
/** One of the `Admission` values. */
export type Admission = (typeof Admission)[keyof typeof Admission];

/** The shared-state side of a breaker. */
export interface BreakerSync {
  /** Asks the shared state whether a call may run; `msLeft` is set for `Open`. */
  admit(): Promise<{ admission: Admission; msLeft: number }>;
  /**
   * Opens the shared state for every instance for `openMs` (fire and forget). Sent again every
   * `probeIntervalMs` while Redis does not take it, until it does, a newer change replaces it, or
   * the open time is over.
   */
  publishOpen(openMs: number): void;
  /** Closes it after this instance's trial succeeded (fire and forget; sent again like an open). */
  publishClose(): void;
  /** Stops sending a change Redis has not taken yet (its retry timer). */
  close(): void;
}

/**
 * Log code of the breaker's "Redis unavailable" warning.
 * @deprecated Use `WarningCodes.BREAKER_STORE_UNAVAILABLE` (the same value).
 */
export const BREAKER_STORE_FALLBACK = WarningCodes.BREAKER_STORE_UNAVAILABLE;

const sha1 = (script: string) => createHash('sha1').update(script).digest('hex');
const SCRIPTS = {
  admit: { text: ADMIT_SCRIPT, sha: sha1(ADMIT_SCRIPT) },
  open: { text: OPEN_SCRIPT, sha: sha1(OPEN_SCRIPT) },
  close: { text: CLOSE_SCRIPT, sha: sha1(CLOSE_SCRIPT) },
  release: { text: RELEASE_SCRIPT, sha: sha1(RELEASE_SCRIPT) },
};
type ScriptName = keyof typeof SCRIPTS;

const UNAVAILABLE = { admission: Admission.Unavailable, msLeft: 0 };

/**
 * Builds the Redis sync of breaker `name`. Redis trouble never fails a call: a command that errors or
 * takes longer than `timeoutMs` makes the breaker use its local state (and say so once in the log)
 * until Redis answers again (the shared `createRedisFallback`).
 */
export function createBreakerRedisSync(
  name: string,
  options: unknown,
  settings: { resetTimeoutMs: number; halfOpenMaxCalls: number; leaseMs: number },
): BreakerSync {
  const read = optionReader(
    'createCircuitBreaker',
    options,
    ['redis', 'prefix', 'timeoutMs', 'probeIntervalMs', 'logger'],
    'store.',
  );
  const redis = read.raw('redis');
  if (!hasRedisMethods(redis, ['evalsha', 'eval']))
    read.fail('redis', 'an ioredis client (Redis or Cluster)', redis);
  const client = redis as RedisClient;
  const key = read.string('prefix', 'guard:breaker:') + name;
  const timeoutMs = read.timerMs('timeoutMs', 200);
  const probeIntervalMs = read.positiveInteger('probeIntervalMs', 1000, 'milliseconds');
  const given = read.raw('logger') as GuardLogger | undefined;
  if (given !== undefined && typeof (given as { warn?: unknown }).warn !== 'function')
    read.fail('logger', 'a winston-style logger (with warn())', given);
  let logger = given;
  const instanceId = randomUUID();
  const serverOf = () => redisServerOf(client, key);
  const fallback = createRedisFallback({
    client,
    timeoutMs,
    probeIntervalMs,
    label: `circuit breaker "${name}"`,
    fields: { breaker: name },
    logger: () => (logger ??= createDefaultLogger()),
    unavailable: {
      code: WarningCodes.BREAKER_STORE_UNAVAILABLE,
      message: 'Redis unavailable, using local state',
    },
    recovered: {
      code: WarningCodes.BREAKER_STORE_RECOVERED,
      message: 'Redis available again, sharing state',
    },
  });
  // The trial lease this instance was told of in time; the only one it may use or close with.
  let heldToken = '';
  // The token a lease granted now would get. It stays the same while admissions are in flight (so
  // a lease one of them obtains is valid for the others) and changes when one goes unanswered.
  let candidateToken = randomUUID();
  /** Admissions sent and not answered yet, per candidate token. */
  const inFlight = new Map<string, number>();

  function evalScript(script: ScriptName, args: (string | number)[]): Promise<unknown> {
    const { text, sha } = SCRIPTS[script];
    // The script cache is per node: after a failover or a resharding the key's node may answer
    // NOSCRIPT once, and gets the script itself.
    return client.evalsha(sha, 1, key, ...args).catch((error: unknown) => {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(text, 1, key, ...args);
    });
  }

  /** A state change to publish: its script, and its arguments now (`undefined`: nothing to send any more). */
  interface Change {
    script: 'open' | 'close';
    args: () => (string | number)[] | undefined;
  }
  // The latest change Redis has not taken yet, and the timer that sends it again.
  let unsent: Change | undefined;
  let retry: NodeJS.Timeout | undefined;

  /**
   * Publishes a change, and keeps sending it (one try per probe interval) while Redis skips or fails
   * it: an open decided during a Redis outage reaches the other instances once Redis is back,
   * instead of being lost (and then undone by the shared "closed").
   */
  function publish(change: Change): void {
    unsent = change;
    clearTimeout(retry);
    retry = undefined;
    send(change);
  }

  function send(change: Change): void {
    const args = change.args();
    if (args === undefined) {
      if (unsent === change) unsent = undefined;
      return;
    }
    const answer = fallback.run(
      serverOf,
      () => evalScript(change.script, args).then(() => true),
      () => false,
    );
    void Promise.resolve(answer).then((taken) => {
      if (unsent !== change) return; // a newer change replaced it
      if (taken) {
        unsent = undefined;
        return;
      }
      retry = setTimeout(() => {
        retry = undefined;
        if (unsent === change) send(change);
      }, probeIntervalMs);
      retry.unref();
    });
  }

  function sendAdmit(token: string): Promise<unknown> {
    inFlight.set(token, (inFlight.get(token) ?? 0) + 1);
    return evalScript('admit', [
      instanceId,
      settings.halfOpenMaxCalls,
      settings.leaseMs,
      heldToken,
      token,
    ]).finally(() => {
      const left = (inFlight.get(token) ?? 1) - 1;
      if (left > 0) inFlight.set(token, left);
      else inFlight.delete(token);
    });
  }

  /**
   * An admission that answered after its timeout may have granted this instance a lease it will
   * never use (it went on alone): give it back, so the other instances need not wait it out.
   */
  function releaseLateLease(reply: unknown): void {
    if (!Array.isArray(reply) || Number(reply[0]) !== Admission.Trial) return;
    const token = String(reply[2]);
    // Still in use, or another admission under it may yet answer in time.
    if (token === heldToken || inFlight.has(token)) return;
    // Redis has just answered, so this is sent even while the fallback still skips Redis.
    evalScript('release', [token]).catch(() => {
      // Redis failed again: the admission script voids the lease on this instance's next call,
      // and every lease lapses after leaseMs anyway.
    });
  }

  return {
    async admit() {
      const token = candidateToken;
      const reply = await fallback.run(
        serverOf,
        () => sendAdmit(token),
        () => undefined,
        releaseLateLease,
      );
      if (!Array.isArray(reply)) {
        // Unanswered (or not asked): a lease this admission may still obtain is not to be used.
        if (candidateToken === token) candidateToken = randomUUID();
        return UNAVAILABLE;
      }
      const admission = Number(reply[0]) as Admission;
      if (admission === Admission.Trial) heldToken = String(reply[2]);
      else if (admission === Admission.Closed || admission === Admission.Open) heldToken = '';
      return { admission, msLeft: Number(reply[1]) };
    },
    publishOpen(openMs) {
      heldToken = '';
      const openUntil = Date.now() + openMs;
      publish({
        script: 'open',
        // Sent late, it opens for what is left of the open time, not for a whole new one.
        args: () => {
          const left = openUntil - Date.now();
          return left > 0 ? [left] : undefined;
        },
      });
    },
    publishClose() {
      const token = heldToken;
      heldToken = '';
      // Without a lease this instance never held the shared trial: there is nothing to close.
      publish({ script: 'close', args: () => (token === '' ? undefined : [token]) });
    },
    close() {
      clearTimeout(retry);
      retry = undefined;
      unsent = undefined;
      fallback.close();
    },
  };
}
