import { validateHeaderName, validateHeaderValue } from 'node:http';
import { safeGet, safeKeys } from '../logging/safe-get';

/** Most headers, and most extension members, one error may add to its response. */
const MAX_ENTRIES = 32;
/** Longest JSON of one extension member, in characters; a longer member is left out. */
const MAX_EXTENSION_JSON = 16_384;
/** Longest `Retry-After` the handler sends, in seconds (about 68 years: the largest int32). */
const MAX_RETRY_AFTER_SECONDS = 2_147_483_647;

/**
 * Headers that frame the response or are set by the handler itself: an error's own copy of them
 * would corrupt the answer, so it is never taken.
 */
const RESERVED_HEADERS = new Set([
  'cache-control',
  'connection',
  'content-encoding',
  'content-length',
  'content-type',
  'keep-alive',
  'retry-after',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Body members the handler writes itself; an extension of the same name is left out. */
const RESERVED_MEMBERS = new Set([
  'type',
  'title',
  'status',
  'detail',
  'errorId',
  'reason',
  'code',
  'message',
  'stack',
  '__proto__',
]);

/**
 * The response headers of one of our errors, as far as they can be sent: string values only, names
 * and values Node accepts (a CR/LF in a value would throw in `writeHead`, or split the response in a
 * framework that does not check), framing headers left out. Never throws.
 */
export function sendableHeaders(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const name of safeKeys(value).slice(0, MAX_ENTRIES)) {
    const item = safeGet(value, name);
    if (typeof item !== 'string' || RESERVED_HEADERS.has(name.toLowerCase())) continue;
    try {
      validateHeaderName(name);
      validateHeaderValue(name, item);
    } catch {
      continue;
    }
    out[name] = item;
  }
  return out;
}

/**
 * The problem+json extension members of one of our errors, as plain JSON data: each member is
 * copied through JSON (a BigInt, a throwing getter or `toJSON`, a cycle leave that member out), and
 * the body's own members cannot be overridden. Never throws.
 */
export function jsonExtensions(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const key of safeKeys(value).slice(0, MAX_ENTRIES)) {
    if (RESERVED_MEMBERS.has(key)) continue;
    try {
      const json = JSON.stringify(safeGet(value, key));
      if (typeof json === 'string' && json.length <= MAX_EXTENSION_JSON)
        out[key] = JSON.parse(json) as unknown;
    } catch {
      // Not JSON data: left out.
    }
  }
  return out;
}

/** Whole seconds for `Retry-After` from an error's `retryAfterSeconds`, or undefined when it is no usable number. */
export function retryAfterSeconds(value: unknown): number | undefined {
  if (typeof value !== 'number' || Number.isNaN(value)) return undefined;
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(0, Math.ceil(value)));
}
