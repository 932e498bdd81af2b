import { safeGet, safeKeys, truncate } from './safe-get';

/** Replaces a secret's value in the log. */
export const REDACTED = '[REDACTED]';

/**
 * Field and header names whose values never reach the log, matched anywhere in the name and in any
 * case, at any depth: `password`, `newPassword`, `access_token`, `clientSecret`, `x-api-key`, `ssn`,
 * `cardNumber`, `authorization`, `cookie`, `set-cookie`, …
 */
export const SECRET_NAME_PATTERN =
  /pass(word|wd|phrase)?|pwd|token|secret|api[-_]?key|ssn|card|authori[sz]ation|cookie|session|credential|private[-_]?key|signature/i;

/** Bounds that keep one log entry small whatever the input (every data structure is bounded). */
export interface RedactLimits {
  maxDepth: number;
  maxKeys: number;
  maxStringLength: number;
}

export const DEFAULT_REDACT_LIMITS: RedactLimits = {
  maxDepth: 6,
  maxKeys: 100,
  maxStringLength: 4096,
};

/**
 * A JSON-safe copy of `value` for the log: secrets by name replaced with `[REDACTED]`, circular
 * references marked, depth, width and string length bounded, hostile getters and Proxy traps
 * tolerated (an object that cannot be read is `[Unreadable]`). Never throws.
 */
export function redact(value: unknown, limits: RedactLimits = DEFAULT_REDACT_LIMITS): unknown {
  return copy(value, 0, new WeakSet(), limits);
}

function copy(value: unknown, depth: number, seen: WeakSet<object>, limits: RedactLimits): unknown {
  if (typeof value === 'string') return truncate(value, limits.maxStringLength);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return `[${typeof value}]`;
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= limits.maxDepth) return '[Truncated]';
  seen.add(value);
  try {
    // Both can throw: instanceof asks a Proxy's getPrototypeOf trap, Array.isArray a revoked Proxy.
    if (Buffer.isBuffer(value)) return `[Buffer ${value.length} bytes]`;
    if (Array.isArray(value)) {
      const items = value
        .slice(0, limits.maxKeys)
        .map((item) => copy(item, depth + 1, seen, limits));
      if (value.length > limits.maxKeys)
        items.push(`[${value.length - limits.maxKeys} more items]`);
      return items;
    }
    const out: Record<string, unknown> = {};
    const keys = safeKeys(value);
    for (const key of keys.slice(0, limits.maxKeys)) {
      out[key] = SECRET_NAME_PATTERN.test(key)
        ? REDACTED
        : copy(safeGet(value, key), depth + 1, seen, limits);
    }
    if (keys.length > limits.maxKeys) out['…'] = `[${keys.length - limits.maxKeys} more keys]`;
    return out;
  } catch {
    return '[Unreadable]';
  } finally {
    seen.delete(value);
  }
}
