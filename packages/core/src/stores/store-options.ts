import type { OptionReader } from '../options/option-reader';
import type { StoreOptions } from './store';

/** The option names every store factory reads for its counting rule. */
export const STORE_OPTION_KEYS = ['limit', 'windowMs', 'blockMs'] as const;

/**
 * The memory store counts in a Uint32Array and stops one past the limit, so the limit must leave
 * room for that one: 2^32 - 2.
 */
const MAX_STORE_LIMIT = 4_294_967_294;

/**
 * Reads and checks the counting rule shared by every store (`limit`, `windowMs`, `blockMs`), so a
 * store built by hand fails at construction like every other factory: `maxKeys: 0` or a NaN window
 * would otherwise loop forever or grow without bound on the first request (issue 12, item 1).
 */
export function readStoreOptions(
  read: OptionReader<(typeof STORE_OPTION_KEYS)[number]>,
): StoreOptions {
  // No defaults: the limiter decides them, and a store built by hand must say what it counts.
  const limit = read.nonNegativeInteger('limit', undefined, 'hits');
  if (limit > MAX_STORE_LIMIT) read.fail('limit', `at most ${MAX_STORE_LIMIT} (hits)`, limit);
  return {
    limit,
    windowMs: read.positiveInteger('windowMs', undefined, 'milliseconds'),
    blockMs: read.nonNegativeInteger('blockMs', undefined, 'milliseconds'),
  };
}
