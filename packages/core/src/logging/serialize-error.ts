import { DEFAULT_REDACT_LIMITS, redact } from './redact';
import { safeGet, safeKeys, truncate } from './safe-get';

/** How much of a message or stack the log keeps: full detail, but bounded (a 10 MB message is cut). */
const MAX_TEXT = 65_536;
/** How many links of a `cause` chain the log follows. */
const MAX_CAUSES = 8;

/** The error as logged: name, message, stack, code, other own fields (redacted) and the cause chain. */
export interface SerializedError {
  name?: string;
  message?: string;
  stack?: string;
  code?: unknown;
  thrown?: string;
  fields?: unknown;
  cause?: SerializedError;
}

/**
 * Turns any thrown value into a JSON-safe description for the log, never throwing: Errors keep their
 * stack and cause chain; strings, numbers, null and plain objects are described; hostile getters and
 * circular structures are tolerated; secrets in own fields are redacted. Never throws.
 */
export function serializeError(value: unknown, depth = 0): SerializedError {
  try {
    return serialize(value, depth);
  } catch {
    // A Proxy whose traps throw (`instanceof` asks getPrototypeOf), or worse.
    return { thrown: typeof value, message: '[unreadable value]' };
  }
}

function serialize(value: unknown, depth: number): SerializedError {
  if (typeof value !== 'object' || value === null) {
    const text = typeof value === 'string' ? value : describePrimitive(value);
    return {
      thrown: typeof value === 'object' ? 'null' : typeof value,
      message: truncate(text, MAX_TEXT),
    };
  }
  const out: SerializedError = {};
  const name = safeGet(value, 'name');
  const message = safeGet(value, 'message');
  const stack = safeGet(value, 'stack');
  const code = safeGet(value, 'code');
  if (!(value instanceof Error)) out.thrown = 'object';
  if (typeof name === 'string') out.name = truncate(name, 200);
  if (typeof message === 'string') out.message = truncate(message, MAX_TEXT);
  if (typeof stack === 'string') out.stack = truncate(stack, MAX_TEXT);
  if (code !== undefined) out.code = redact(code);
  const fieldNames = safeKeys(value).filter(
    (key) => !['name', 'message', 'stack', 'code', 'cause'].includes(key),
  );
  if (fieldNames.length > 0) {
    const fields: Record<string, unknown> = {};
    for (const key of fieldNames.slice(0, DEFAULT_REDACT_LIMITS.maxKeys))
      fields[key] = safeGet(value, key);
    out.fields = redact(fields);
  }
  const cause = safeGet(value, 'cause');
  if (cause !== undefined && cause !== value && depth < MAX_CAUSES)
    out.cause = serializeError(cause, depth + 1);
  return out;
}

function describePrimitive(value: unknown): string {
  try {
    return String(value);
  } catch {
    return `[${typeof value}]`;
  }
}
