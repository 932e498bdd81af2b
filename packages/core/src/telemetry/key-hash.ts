import { createHmac, randomBytes } from 'node:crypto';

let secret: Buffer | undefined;

/**
 * A keyed hash of a client key (address, username, API key) for a rejection record: HMAC-SHA256
 * under a random secret made once per process, cut to 16 hex digits. The same key gives the same
 * hash for the life of the process, so refusals of one client can be told apart and counted, but
 * the key cannot be recovered or guessed by hashing candidates (as it could from a plain hash).
 */
export function keyHash(key: string): string {
  secret ??= randomBytes(32);
  return createHmac('sha256', secret).update(key).digest('hex').slice(0, 16);
}
