/** A short, safe description of a received option value for configuration error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Object.is(value, -0)) return '-0';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return String(value);
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    case 'object':
      return 'an object';
  }
  return typeof value;
}
