import { createHash, randomUUID } from 'node:crypto';
import type { RedisClient as Redis } from '../stores/redis-client';
import { createDefaultLogger } from '../logging/default-logger';
import type { GuardLogger } from '../logging/default-logger';
import { optionReader } from '../options/option-reader';
import { isConnectionLost } from '../stores/redis-connection';
import { ADMIT_SCRIPT, CLOSE_SCRIPT, OPEN_SCRIPT } from './breaker-redis-scripts';

/** `store` option of `createCircuitBreaker`: share the breaker's state through Redis. */
export interface CircuitBreakerStoreOptions {
  /** An ioredis client (ioredis is an optional peer dependency). */
  redis: Redis;
  /** Key prefix; the key is `prefix + name`. Default `'guard:breaker:'`. */
  prefix?: string;
  /** Longest wait for Redis before a call goes on with local state, in milliseconds. Default `200`. */
  timeoutMs?: number;
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
  /** Opens the shared state for every instance (fire and forget). */
  publishOpen(): void;
  /** Closes it after this instance's trial succeeded (fire and forget). */
  publishClose(): void;
}

/** Log code of the one-time fallback warning. */
export const BREAKER_STORE_FALLBACK = 'GUARD_BREAKER_STORE_UNAVAILABLE';

/** How long the breaker stays on local state after Redis failed, before asking it again. */
const RECHECK_MS = 1000;

const sha1 = (script: string) => createHash('sha1').update(script).digest('hex');
const SCRIPTS = {
  admit: { text: ADMIT_SCRIPT, sha: sha1(ADMIT_SCRIPT) },
  open: { text: OPEN_SCRIPT, sha: sha1(OPEN_SCRIPT) },
  close: { text: CLOSE_SCRIPT, sha: sha1(CLOSE_SCRIPT) },
};
type ScriptName = keyof typeof SCRIPTS;

/**
 * Builds the Redis sync of breaker `name`. Redis trouble never fails a call: a command that errors or
 * takes longer than `timeoutMs` makes the breaker use its local state (and say so once in the log)
 * until Redis answers again.
 */
export function createBreakerRedisSync(
  name: string,
  options: unknown,
  settings: { resetTimeoutMs: number; halfOpenMaxCalls: number; leaseMs: number },
): BreakerSync {
  const read = optionReader(
    'createCircuitBreaker',
    options,
    ['redis', 'prefix', 'timeoutMs', 'logger'],
    'store.',
  );
  const redis = read.raw('redis') as Redis | undefined;
  if (typeof (redis as { evalsha?: unknown } | undefined)?.evalsha !== 'function')
    read.fail('redis', 'an ioredis client', redis);
  const client = redis as Redis;
  const key = read.string('prefix', 'guard:breaker:') + name;
  const timeoutMs = read.timerMs('timeoutMs', 200);
  const given = read.raw('logger') as GuardLogger | undefined;
  if (given !== undefined && typeof (given as { warn?: unknown }).warn !== 'function')
    read.fail('logger', 'a winston-style logger (with warn())', given);
  let logger = given;
  const instanceId = randomUUID();
  let degradedUntil = 0;
  let warned = false;

  function degrade(error: unknown): void {
    degradedUntil = Date.now() + RECHECK_MS;
    if (warned) return;
    warned = true;
    logger ??= createDefaultLogger();
    logger.warn(`circuit breaker "${name}": Redis unavailable, using local state`, {
      code: BREAKER_STORE_FALLBACK,
      breaker: name,
      error: error instanceof Error ? error.message : String(error),
    });
  }

  function recovered(): void {
    if (!warned) return;
    warned = false;
    logger?.info(`circuit breaker "${name}": Redis available again, sharing state`, {
      code: BREAKER_STORE_FALLBACK,
      breaker: name,
    });
  }

  async function evalScript(script: ScriptName, args: (string | number)[]): Promise<unknown> {
    const { text, sha } = SCRIPTS[script];
    try {
      return await client.evalsha(sha, 1, key, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(text, 1, key, ...args);
    }
  }

  /** Runs a script under the deadline; `undefined` when Redis failed (already reported). */
  function call(script: ScriptName, args: (string | number)[]): Promise<unknown> {
    // A client whose connection dropped would queue the command until it reconnects (or fail it
    // late): do not wait for it. A client still making its first connection is worth the wait.
    if (isConnectionLost(client)) {
      degrade(new Error(`Redis client status is "${client.status}"`));
      return Promise.resolve(undefined);
    }
    if (Date.now() < degradedUntil) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        degrade(new Error(`Redis did not answer within ${timeoutMs} ms`));
        resolve(undefined);
      }, timeoutMs);
      timer.unref();
      evalScript(script, args).then(
        (value) => {
          clearTimeout(timer);
          recovered();
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          degrade(error);
          resolve(undefined);
        },
      );
    });
  }

  return {
    async admit() {
      const reply = await call('admit', [instanceId, settings.halfOpenMaxCalls, settings.leaseMs]);
      if (!Array.isArray(reply)) return { admission: Admission.Unavailable, msLeft: 0 };
      return { admission: Number(reply[0]) as Admission, msLeft: Number(reply[1]) };
    },
    publishOpen() {
      void call('open', [settings.resetTimeoutMs]);
    },
    publishClose() {
      void call('close', [instanceId]);
    },
  };
}
