/** What a store reports for one counted hit. */
export interface StoreHit {
  /** Hits counted for the key in its current window, this one included (saturates above the limit). */
  count: number;
  /** Milliseconds until the window (or the block) ends and the count starts again from zero. */
  resetMs: number;
}

/** How a store counts: fixed windows of `windowMs` starting at a key's first hit. */
export interface StoreOptions {
  /** Hits allowed per window; the store may stop counting past `limit + 1`. */
  limit: number;
  /** Window length in milliseconds. */
  windowMs: number;
  /** When the count first goes over `limit`, keep the key rejected this long (ms) instead; `0` = no block. */
  blockMs: number;
}

/**
 * A rate-limit store: counts hits per key in fixed windows. Every store passes the same contract
 * suite (packages/core/test/stores/store-contract.ts). A store may answer synchronously (memory) or
 * with a promise (Redis); a failing store rejects, and the limiter decides what to do about it.
 */
export interface RateLimitStore {
  /** Counts one hit for `key`. */
  increment(this: void, key: string): StoreHit | Promise<StoreHit>;
  /** The key's current count without counting a hit; `undefined` when it has none (or it expired). */
  peek(this: void, key: string): StoreHit | undefined | Promise<StoreHit | undefined>;
  /** Forgets `key` (a successful login resets its failures). */
  reset(this: void, key: string): void | Promise<void>;
  /**
   * Takes back one hit of `key`'s current window (an attempt counted up front that turned out not to
   * count, such as a successful login); never below zero, and a key without a window is left alone.
   */
  refund(this: void, key: string): void | Promise<void>;
  /** Releases what the store holds (timers, memory); the store is not used afterwards. */
  close(this: void): void;
}
