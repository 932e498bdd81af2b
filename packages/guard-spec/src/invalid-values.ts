/**
 * What an invalid-option table tries on a count such as `maxKeys` (STYLE.md section 6): zero, NaN,
 * ±Infinity, negatives, -0, a fraction, a string, null, {}, [] and a boolean.
 */
export const INVALID_COUNTS: readonly unknown[] = [
  0,
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

/** A table label for a value, telling `-0`, `NaN` and `"5"` apart. */
export function showValue(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  return JSON.stringify(value);
}
