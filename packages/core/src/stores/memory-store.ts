import { optionReader } from '../options/option-reader';
import { boundedKey } from './bounded-key';
import type { RateLimitStore, StoreHit, StoreOptions } from './store';
import { STORE_OPTION_KEYS, readStoreOptions } from './store-options';

/** Options of `createMemoryStore`. */
export interface MemoryStoreOptions extends StoreOptions {
  /** Most keys held at once (a positive integer); past it the least recently used generation of keys is forgotten. */
  maxKeys: number;
  /** Milliseconds since the epoch. Default `Date.now` (jest's fake timers replace it in tests). */
  now?: () => number;
}

/** The in-process store, with the number of keys it holds (for tests and health figures). */
export interface MemoryStore extends RateLimitStore {
  increment(this: void, key: string): StoreHit;
  peek(this: void, key: string): StoreHit | undefined;
  reset(this: void, key: string): void;
  refund(this: void, key: string): void;
  /** Keys held right now, never more than `maxKeys`. */
  readonly size: number;
}

/**
 * One generation: a Map from key to slot, and the slot's count and window end in typed arrays.
 * Keeping the numbers out of the Map values (no object per key, no boxed doubles) is what keeps a
 * key to well under a hundred heap bytes (docs/rate-limit.md).
 */
interface Generation {
  slots: Map<string, number>;
  counts: Uint32Array;
  resetAt: Float64Array;
}

const INITIAL_SLOTS = 1024;

/**
 * A bounded in-process store. Keys live in two generations (the hashlru scheme): new and touched keys
 * go to the current one; when it holds half of `maxKeys`, the previous generation is dropped whole and
 * the current one becomes previous. A key in use is promoted on every hit, so only keys nobody has
 * touched for a generation are forgotten; a flood of unique keys costs the flood, not memory. A key
 * longer than 64 characters is held as its hash (`boundedKey`), so each key's size is bounded too.
 * Answers synchronously: no promise, no timer, nothing to sweep.
 * @example
 * const store = createMemoryStore({ limit: 60, windowMs: 60_000, blockMs: 0, maxKeys: 100_000 });
 * const { count, resetMs } = store.increment('203.0.113.7');
 */
export function createMemoryStore(options: MemoryStoreOptions): MemoryStore {
  const read = optionReader('createMemoryStore', options, [...STORE_OPTION_KEYS, 'maxKeys', 'now']);
  const { limit, windowMs, blockMs } = readStoreOptions(read);
  // maxKeys 0 made the first insert loop forever, NaN meant no bound at all (issue 12, item 1).
  const maxKeys = read.positiveInteger('maxKeys', undefined, 'keys');
  const now = read.optionalFunction<() => number>('now') ?? (() => Date.now());
  const capacity = Math.ceil(maxKeys / 2);
  let current = newGeneration(Math.min(capacity, INITIAL_SLOTS));
  let previous = newGeneration(0);

  function rotate(): void {
    const reused = previous;
    previous = current;
    reused.slots.clear();
    current = reused;
  }

  /** Adds a key to the current generation, keeping the total within `maxKeys`. */
  function insert(key: string, count: number, resetAt: number): void {
    while (current.slots.size + previous.slots.size >= maxKeys) {
      if (current.slots.size >= capacity) rotate();
      else {
        // Odd or tiny maxKeys: drop the oldest key of the previous generation.
        const oldest = previous.slots.keys().next();
        if (oldest.done === true) break;
        previous.slots.delete(oldest.value);
      }
    }
    if (current.slots.size >= capacity) rotate();
    // The current generation is append-only, so its next free slot is its size.
    const slot = current.slots.size;
    if (slot >= current.counts.length)
      grow(current, Math.min(capacity, Math.max(INITIAL_SLOTS, current.counts.length * 2)));
    current.slots.set(key, slot);
    current.counts[slot] = count;
    current.resetAt[slot] = resetAt;
  }

  /** Counts one hit on a slot, starting a new window when the old one is over. */
  function count(generation: Generation, slot: number, time: number): StoreHit {
    let resetAt = generation.resetAt[slot] ?? 0;
    let hits = generation.counts[slot] ?? 0;
    if (resetAt <= time) {
      hits = 0;
      resetAt = time + windowMs;
    }
    // Counting stops one past the limit: that is all a decision needs, and it cannot overflow.
    if (hits <= limit) {
      hits++;
      // The hit that first goes over the limit starts the block (rate-limiter-flexible's blockDuration).
      if (hits > limit && blockMs > 0) resetAt = time + blockMs;
    }
    generation.counts[slot] = hits;
    generation.resetAt[slot] = resetAt;
    return { count: hits, resetMs: resetAt - time };
  }

  /** Where `key` lives, if it has a window that is not over yet. */
  function find(key: string, time: number): [Generation, number] | undefined {
    let generation = current;
    let slot = current.slots.get(key);
    if (slot === undefined) {
      generation = previous;
      slot = previous.slots.get(key);
    }
    if (slot === undefined || (generation.resetAt[slot] ?? 0) <= time) return undefined;
    return [generation, slot];
  }

  return {
    get size() {
      return current.slots.size + previous.slots.size;
    },
    increment(given) {
      const key = boundedKey(given);
      const time = now();
      const slot = current.slots.get(key);
      if (slot !== undefined) return count(current, slot, time);
      const old = previous.slots.get(key);
      if (old !== undefined) {
        const hits = previous.counts[old] ?? 0;
        const resetAt = previous.resetAt[old] ?? 0;
        previous.slots.delete(key);
        insert(key, hits, resetAt);
        return count(current, current.slots.size - 1, time);
      }
      insert(key, 0, 0);
      return count(current, current.slots.size - 1, time);
    },
    peek(given) {
      const time = now();
      const found = find(boundedKey(given), time);
      if (found === undefined) return undefined;
      const [generation, slot] = found;
      return {
        count: generation.counts[slot] ?? 0,
        resetMs: (generation.resetAt[slot] ?? 0) - time,
      };
    },
    refund(given) {
      const found = find(boundedKey(given), now());
      if (found === undefined) return;
      const [generation, slot] = found;
      const hits = generation.counts[slot] ?? 0;
      if (hits > 0) generation.counts[slot] = hits - 1;
    },
    reset(given) {
      const key = boundedKey(given);
      // The current generation is append-only; a reset key keeps its slot with an expired window.
      const slot = current.slots.get(key);
      if (slot !== undefined) current.resetAt[slot] = 0;
      previous.slots.delete(key);
    },
    close() {
      current = newGeneration(0);
      previous = newGeneration(0);
    },
  };
}

function newGeneration(slots: number): Generation {
  return { slots: new Map(), counts: new Uint32Array(slots), resetAt: new Float64Array(slots) };
}

function grow(generation: Generation, slots: number): void {
  const counts = new Uint32Array(slots);
  counts.set(generation.counts);
  const resetAt = new Float64Array(slots);
  resetAt.set(generation.resetAt);
  generation.counts = counts;
  generation.resetAt = resetAt;
}
