/**
 * The values every invalid-option table tries on a numeric option (STYLE.md section 6): NaN,
 * ±Infinity, negatives, -0, fractions, strings, null, {}, [] and a boolean. Zero is left out: it is
 * valid for some options (a block of 0 ms) and each table adds it where it is not.
 */
export const INVALID_NUMBERS: readonly unknown[] = [
  NaN,
  Infinity,
  -Infinity,
  -1,
  -0,
  1.5,
  '5',
  null,
  {},
  [],
  true,
];

/** A table label for a value: `-0`, `NaN` and `"5"` told apart. */
export function show(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  return JSON.stringify(value);
}
