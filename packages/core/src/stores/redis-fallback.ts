import type { GuardLogger } from '../logging/default-logger';
import { serializeError } from '../logging/serialize-error';
import type { WarningCode } from '../logging/warning-codes';
import { DeadlineQueue } from '../timers/deadline-queue';
import { isConnectionLost } from './redis-connection';

/** Options of `createRedisFallback`. */
export interface RedisFallbackOptions {
  /** The Redis client, for its connection state (the lost-connection fast path). */
  client: { readonly status: string };
  /** Longest wait for a Redis command before the fallback answers, in milliseconds. */
  timeoutMs: number;
  /** While a server is failing, how often one call tries it again, in milliseconds. */
  probeIntervalMs: number;
  /** Who is speaking in the log lines (`rateLimit "default"`, `circuit breaker "payments"`). */
  label: string;
  /** The warning and recovery lines: their codes and what they say after the label. */
  unavailable: { code: WarningCode; message: string };
  recovered: { code: WarningCode; message: string };
  /** Extra fields of both log lines (`{ breaker: 'payments' }`). */
  fields?: Record<string, unknown>;
  /** Where the two lines go, created on first use. */
  logger: () => GuardLogger;
}

/** Redis with a fallback: one place that decides when Redis is asked and when it is not. */
export interface RedisFallback {
  /** `true` while some Redis server is failing (its calls are answered by the fallback). */
  readonly degraded: boolean;
  /**
   * Runs `command` on Redis and resolves with its answer, or answers `fallback()` when Redis is
   * skipped (its server failed and no probe is due: then synchronously), fails, or misses
   * `timeoutMs`. `serverOf()` names the Redis server the command goes to (`redisServerOf`);
   * failures are remembered per server, and it is only asked while some server fails or when this
   * command fails (a Cluster key's slot costs a hash). `onLate` receives the answer of a command
   * that came after its deadline (the fallback had answered already; the command did run on Redis).
   */
  run<TValue, TFallback>(
    serverOf: () => string,
    command: () => Promise<TValue>,
    fallback: () => TFallback,
    onLate?: (value: TValue) => void,
  ): TFallback | Promise<TValue | TFallback>;
  /** Clears the deadline timer; pending commands no longer time out. */
  close(): void;
}

interface Pending {
  settled: boolean;
  expire(): void;
}

/**
 * The one "Redis with a fallback" of the suite, used by the insured rate-limit store and by the
 * breaker's Redis sync (issue 12 #6). A command gets `timeoutMs` (one timer for all pending
 * commands); a client that lost its connection fails at once instead of queueing; a failure puts
 * its server on the fallback, where calls go straight to the fallback and one call per
 * `probeIntervalMs` tries Redis again. Leaving Redis is logged once (`warn`, with the cause) and
 * coming back once (`info`), however many calls and servers fail in between.
 */
export function createRedisFallback(options: RedisFallbackOptions): RedisFallback {
  const { client, timeoutMs, probeIntervalMs, label, unavailable, recovered, logger } = options;
  const fields = options.fields ?? {};
  /** Failing servers and when each may be probed next (epoch ms). */
  const failing = new Map<string, number>();
  const deadlines = new DeadlineQueue<Pending>(timeoutMs, (pending) => {
    pending.expire();
  });

  function failed(server: string, error: unknown): void {
    const wasHealthy = failing.size === 0;
    failing.set(server, Date.now() + probeIntervalMs);
    // Once per outage, not per call or per server: an outage must not flood the log.
    if (wasHealthy)
      logger().warn(`${label}: ${unavailable.message}`, {
        code: unavailable.code,
        ...fields,
        error: serializeError(error),
      });
  }

  function answered(serverOf: () => string): void {
    if (failing.size === 0) return;
    failing.delete(serverOf());
    // A server nobody asked for since its probe fell due a whole interval ago is forgotten: after a
    // Cluster failover the failed primary owns no slot, so no call would ever probe it.
    const now = Date.now();
    for (const [other, probeAt] of failing)
      if (probeAt + probeIntervalMs < now) failing.delete(other);
    if (failing.size === 0)
      logger().info(`${label}: ${recovered.message}`, { code: recovered.code, ...fields });
  }

  return {
    get degraded() {
      return failing.size > 0;
    },
    run<TValue, TFallback>(
      serverOf: () => string,
      command: () => Promise<TValue>,
      fallback: () => TFallback,
      onLate?: (value: TValue) => void,
    ): TFallback | Promise<TValue | TFallback> {
      let known: string | undefined;
      const server = () => (known ??= serverOf());
      if (failing.size > 0) {
        const probeAt = failing.get(server());
        if (probeAt !== undefined) {
          if (Date.now() < probeAt) return fallback();
          // This call is the probe; the others keep to the fallback until it has answered.
          failing.set(server(), Date.now() + probeIntervalMs);
        }
      }
      // A lost connection would queue the command until it reconnects, or fail it late: do not
      // wait for it. A client still making its first connection is worth the wait.
      if (isConnectionLost(client)) {
        failed(server(), new Error(`Redis connection is ${client.status}`));
        return fallback();
      }
      let sent: Promise<TValue>;
      try {
        sent = command();
      } catch (error) {
        failed(server(), error);
        return fallback();
      }
      return new Promise<TValue | TFallback>((resolve) => {
        const pending: Pending = {
          settled: false,
          expire() {
            pending.settled = true;
            failed(server(), new Error(`Redis did not answer within ${timeoutMs} ms`));
            resolve(fallback());
          },
        };
        const entry = deadlines.add(pending);
        sent.then(
          (value) => {
            deadlines.remove(entry);
            if (pending.settled) {
              onLate?.(value);
              return;
            }
            pending.settled = true;
            answered(server);
            resolve(value);
          },
          (error: unknown) => {
            deadlines.remove(entry);
            if (pending.settled) return;
            pending.settled = true;
            failed(server(), error);
            resolve(fallback());
          },
        );
      });
    },
    close() {
      deadlines.close();
    },
  };
}
