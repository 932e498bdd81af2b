/**
 * The members of an ioredis client that the suite calls. An ioredis `Redis` (standalone, or
 * configured for Sentinel with `{ sentinels, name }`) and an ioredis `Cluster` both fit it, and
 * because it is written out here a user's TypeScript compiles without ioredis's types (it is an
 * optional peer dependency).
 */
export interface RedisClient {
  /** ioredis's connection state: `wait`, `connecting`, `connect`, `ready`, `reconnecting`, `close`, `end`. */
  readonly status: string;
  /** Runs a cached Lua script by its SHA-1 (Redis `EVALSHA`). */
  evalsha(sha1: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
  /** Runs a Lua script (Redis `EVAL`); sent when a node answers `NOSCRIPT`. */
  eval(script: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
  /** Registers a Lua script as a command (rate-limiter-flexible's counter script). */
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
  /** Starts a transaction (rate-limiter-flexible reads a count with `MULTI GET PTTL EXEC`). */
  multi(): unknown;
  /** Deletes keys (a rate-limit `reset`). */
  del(...keys: string[]): Promise<number>;
}

/** Whether `value` has the given methods and a `status`: the check behind `store.redis` options. */
export function hasRedisMethods(value: unknown, methods: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return methods.every((method) => typeof record[method] === 'function');
}
