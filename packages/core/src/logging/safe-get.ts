/**
 * Reads one property of an untrusted thrown value. A hostile getter or Proxy trap that throws
 * yields `undefined` instead of crashing the error path.
 */
export function safeGet(value: unknown, key: PropertyKey): unknown {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null)
    return undefined;
  try {
    return (value as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** The own enumerable keys of an untrusted object, or none when listing them throws. */
export function safeKeys(value: object): string[] {
  try {
    return Object.keys(value);
  } catch {
    return [];
  }
}

/** Cuts a string to `maxLength` characters, saying how much was left out. */
export function truncate(text: string, maxLength: number): string {
  return text.length <= maxLength
    ? text
    : `${text.slice(0, maxLength)}… [${text.length - maxLength} more characters]`;
}
