import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// Jest runs without --expose-gc; the flag can still be set at run time and `gc` read from a new context.
setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

/**
 * How much the V8 heap grew, after full collections, while `build` made and kept what it returns:
 * the retained size of that value, give or take a few hundred kilobytes of noise.
 */
export function retainedBytes<T>(build: () => T): { bytes: number; kept: T } {
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = build();
  gc();
  gc();
  return { bytes: process.memoryUsage().heapUsed - before, kept };
}

/** A distinct, flat string of `bytes` one-byte characters (no shared rope behind it). */
export function longKey(index: number, bytes = 1 << 20): string {
  return `${index}:`.padEnd(bytes, 'x');
}
