import { createHash } from 'node:crypto';

/** Longest key a store holds as it is, in UTF-16 code units (at most 128 bytes of string data). */
export const MAX_KEY_LENGTH = 64;

/**
 * A store key of bounded size: a key of up to `MAX_KEY_LENGTH` code units is kept as it is (client
 * addresses, `/64` prefixes, ids); a longer one becomes `#` and its SHA-256 in base64url (44 code
 * units). `maxKeys` bounds how many keys a store holds, and this bounds what each one costs, so a
 * 1 MiB username or `key()` result costs a hash, not a megabyte per entry (issue 12, item 10).
 * The hash covers the UTF-16 code units, so two different long keys never share a bucket (short of
 * a SHA-256 collision); it is not keyed, so every instance sharing a Redis store agrees on it.
 * @example boundedKey('203.0.113.7') === '203.0.113.7'; boundedKey('x'.repeat(1e6)).length === 44;
 */
export function boundedKey(key: string): string {
  if (key.length <= MAX_KEY_LENGTH) return key;
  return `#${createHash('sha256').update(key, 'utf16le').digest('base64url')}`;
}
