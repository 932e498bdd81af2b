import { GuardConfigError } from '../errors/guard-config-error';
import { describeValue } from './describe-value';
import { didYouMean } from './did-you-mean';
import { rejectRequestAsOptions } from './reject-request-as-options';

/** The longest delay `setTimeout` honours, in milliseconds. */
/** The longest delay setTimeout honours; it turns a longer one into 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Validates one factory's options at construction, so a bad value fails at start-up, never on a
 * request. Each check returns the resolved value (the default when the option was left out) or throws
 * a `GuardConfigError` naming the factory, the option path, what was expected and what was received:
 * `rateLimit: "windowMs" must be a positive integer (milliseconds), received -5`.
 *
 * @example
 * const read = optionReader('rateLimit', options, ['limit', 'windowMs']);
 * const limit = read.positiveInteger('limit', 60, 'requests');
 */
export function optionReader<TKey extends string>(
  factory: string,
  input: unknown,
  knownKeys: readonly TKey[],
  pathPrefix = '',
): OptionReader<TKey> {
  const options = asOptionsObject(factory, input, pathPrefix);
  for (const key of Object.keys(options)) {
    if (!(knownKeys as readonly string[]).includes(key)) {
      const hint = didYouMean(key, knownKeys);
      throw new GuardConfigError(
        `${factory}: unknown option "${pathPrefix}${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; known options: ${knownKeys.join(', ')}`,
        `${pathPrefix}${key}`,
      );
    }
  }
  const fail = (key: string, expected: string, value: unknown): never => {
    throw new GuardConfigError(
      `${factory}: "${pathPrefix}${key}" must be ${expected}, received ${describeValue(value)}`,
      `${pathPrefix}${key}`,
    );
  };
  const unit = (u: string | undefined) => (u ? ` (${u})` : '');
  // Only `undefined` means "left out": an explicit null is a wrong value and is reported as such.
  const valueOf = (key: string, fallback: unknown): unknown =>
    options[key] === undefined ? fallback : options[key];

  return {
    raw: (key) => options[key],
    has: (key) => options[key] !== undefined,
    positiveInteger(key, fallback, u) {
      const value = valueOf(key, fallback);
      if (!Number.isSafeInteger(value) || (value as number) <= 0 || Object.is(value, -0))
        return fail(key, `a positive integer${unit(u)}`, value);
      return value as number;
    },
    timerMs(key, fallback) {
      const value = valueOf(key, fallback);
      // setTimeout turns anything over 2^31-1 ms into 1 ms: such a "long" timeout would fire at once.
      if (
        !Number.isSafeInteger(value) ||
        (value as number) <= 0 ||
        (value as number) > MAX_TIMER_MS
      )
        return fail(key, `a positive integer of at most ${MAX_TIMER_MS} (milliseconds)`, value);
      return value as number;
    },
    nonNegativeInteger(key, fallback, u) {
      const value = valueOf(key, fallback);
      if (!Number.isSafeInteger(value) || (value as number) < 0 || Object.is(value, -0))
        return fail(key, `a non-negative integer${unit(u)}`, value);
      return value as number;
    },
    positiveNumber(key, fallback, u) {
      const value = valueOf(key, fallback);
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
        return fail(key, `a positive finite number${unit(u)}`, value);
      return value;
    },
    ratio(key, fallback) {
      const value = valueOf(key, fallback);
      if (typeof value !== 'number' || !(value > 0 && value <= 1))
        return fail(key, 'a number greater than 0 and at most 1', value);
      return value;
    },
    boolean(key, fallback) {
      const value = valueOf(key, fallback);
      if (typeof value !== 'boolean') return fail(key, 'a boolean', value);
      return value;
    },
    string(key, fallback) {
      const value = valueOf(key, fallback);
      if (typeof value !== 'string' || value.length === 0)
        return fail(key, 'a non-empty string', value);
      return value;
    },
    oneOf(key, allowed, fallback) {
      const value = valueOf(key, fallback);
      if (!(allowed as readonly unknown[]).includes(value))
        return fail(key, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, value);
      return value as never;
    },
    optionalFunction(key) {
      const value = options[key];
      if (value === undefined) return undefined;
      if (typeof value !== 'function') return fail(key, 'a function', value);
      return value as never;
    },
    optionalPositiveInteger(key, u) {
      return options[key] === undefined ? undefined : this.positiveInteger(key, undefined, u);
    },
    fail,
  };
}

/** What `optionReader` returns: one checking accessor per kind of option. */
export interface OptionReader<TKey extends string> {
  raw(key: TKey): unknown;
  has(key: TKey): boolean;
  positiveInteger(key: TKey, fallback: number | undefined, unit?: string): number;
  nonNegativeInteger(key: TKey, fallback: number | undefined, unit?: string): number;
  /** A delay handed to `setTimeout`: a positive integer of milliseconds up to 2^31-1. */
  timerMs(key: TKey, fallback: number | undefined): number;
  positiveNumber(key: TKey, fallback: number | undefined, unit?: string): number;
  ratio(key: TKey, fallback: number | undefined): number;
  boolean(key: TKey, fallback: boolean | undefined): boolean;
  string(key: TKey, fallback: string | undefined): string;
  oneOf<TValue>(key: TKey, allowed: readonly TValue[], fallback: TValue | undefined): TValue;
  optionalFunction<TFn extends (...args: never[]) => unknown>(key: TKey): TFn | undefined;
  optionalPositiveInteger(key: TKey, unit?: string): number | undefined;
  /** Throws the standard configuration error for a custom check. */
  fail(key: string, expected: string, value: unknown): never;
}

function asOptionsObject(
  factory: string,
  input: unknown,
  pathPrefix: string,
): Record<string, unknown> {
  if (input === undefined) return {};
  // `app.use(guard)`: the framework calls the factory with its request (issue 14 #5).
  if (pathPrefix === '') rejectRequestAsOptions(factory, input);
  if (typeof input === 'object' && input !== null && !Array.isArray(input))
    return input as Record<string, unknown>;
  const where = pathPrefix ? `"${pathPrefix.slice(0, -1)}"` : 'options';
  const hint =
    typeof input === 'function'
      ? ` (did you write app.use(${factory}) instead of app.use(${factory}())?)`
      : '';
  throw new GuardConfigError(
    `${factory}: ${where} must be an object, received ${describeValue(input)}${hint}`,
    pathPrefix.slice(0, -1) || 'options',
  );
}
